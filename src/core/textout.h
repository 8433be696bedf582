/*
 * textout: the escaping and encoding that feed writers need to put catalog text into CSV, TSV
 * and XML, plus plain text from HTML descriptions, cutting to a platform's length limit, and a
 * streaming gzip writer.
 *
 * Text functions read a borrowed view and append to the caller's struct souk_buf. Each works in
 * one forward pass in time linear in its input, and each is all-or-nothing: when the buffer's
 * cap is reached it returns SOUK_ETOOBIG and leaves the buffer as it was, so a writer can flush
 * and retry or skip the row. Input is expected to be UTF-8 checked by the caller
 * (souk_str_is_utf8); where malformed input could make the output invalid, as in XML, it is
 * repaired rather than passed on.
 *
 * Depends on core/ and zlib only (for gzip).
 */
#ifndef SOUK_CORE_TEXTOUT_H
#define SOUK_CORE_TEXTOUT_H

#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

/*
 * One CSV field (RFC 4180), without the delimiter around it. The field is quoted when it holds
 * the delimiter, '"', CR or LF, or begins or ends with a space or tab (which some readers
 * trim); quotes inside are doubled. delimiter is the writer's own (',', ';', '|' or '\t'), never
 * '"', CR or LF. Values that begin with '=' or '+' are written as they are: feeds are read by
 * platforms, not spreadsheets, and a guard prefix would change the value they ingest.
 */
int souk_textout_csv_field(struct souk_buf *buf, struct souk_str s, char delimiter) SOUK_MUST_CHECK;

/*
 * One TSV field, as Google Merchant Center and Meta read TSV: there is no quoting, a tab always
 * ends a field and a line break always ends a row, so each tab, CR and LF in the value becomes
 * one space. Everything else is written as it is.
 */
int souk_textout_tsv_field(struct souk_buf *buf, struct souk_str s) SOUK_MUST_CHECK;

/*
 * Text for XML 1.0 content or a quoted attribute value: & < > " ' become entities; code points
 * XML forbids (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF) are dropped; each byte of
 * malformed UTF-8 becomes U+FFFD, so the output is well-formed whatever the input. (In an
 * attribute, a parser turns tab, LF and CR into spaces, as XML specifies.)
 */
int souk_textout_xml_text(struct souk_buf *buf, struct souk_str s) SOUK_MUST_CHECK;

/*
 * Plain text from an HTML description (Shopify's "Body (HTML)"), for platforms that take no
 * markup (Meta's description):
 * - tags and comments are removed, and the content of <script> and <style> with them;
 * - a line break stands where the HTML breaks a line or a block: <br>, <hr>, and the start or
 *   end of p, div, li, ul, ol, table, tr, h1..h6 and blockquote; a td or th cell boundary is a
 *   space ("<p>Soft</p><ul><li>Cotton</li><li>Blue</li></ul>" is "Soft\nCotton\nBlue");
 * - entities are decoded: &amp; &lt; &gt; &quot; &apos; &#39; &nbsp; (as a plain space), the
 *   typographic ones editors produce (&hellip; &mdash; &ndash; &lsquo; &rsquo; &ldquo; &rdquo;
 *   &bull; &middot; &deg; &times; &copy; &reg; &trade; &euro;) and numeric &#NNN; and &#xHH;
 *   (to U+FFFD when not a Unicode scalar value, or zero); other names are kept as text;
 * - whitespace is collapsed as a browser does, source line breaks included: a run is one
 *   space, or one LF when a break above falls in it; the result is trimmed at both ends.
 * A '<' not followed by a letter, '/', '!' or '?' is text ("a < b"); an unclosed tag at the
 * end is dropped, as a browser drops it.
 */
int souk_textout_strip_html(struct souk_buf *buf, struct souk_str html) SOUK_MUST_CHECK;

/*
 * The longest prefix of s of at most max_bytes bytes and max_chars code points that ends on a
 * code point boundary, for platform length limits (titles 150, descriptions 5000 characters,
 * counted in code points; pass SIZE_MAX for no limit of that kind). A malformed byte counts as
 * one code point. The result is a view into s; nothing is copied.
 */
struct souk_str souk_textout_truncate_utf8(struct souk_str s, size_t max_bytes, size_t max_chars);

/*
 * A streaming gzip writer (RFC 1952, deflate as zlib does it) that hands its output to a sink
 * as it goes, so a feed of any size is compressed in constant memory (under 300 KB at any
 * level). The header has no file name and time 0, so the same input gives the same
 * bytes, and feed ETags stay stable.
 */
struct souk_gzip;

/*
 * Receives compressed bytes, valid only during the call. Returns SOUK_OK, or a negative status
 * that stops the stream and is returned by the souk_gzip_* call that fed it.
 */
typedef int (*souk_gzip_sink_fn)(void *arg, const void *data, size_t len);

/*
 * A writer at level 0..9 (or -1 for zlib's default, 6) feeding sink(arg, ...); sink and arg are
 * borrowed and must outlive the writer. NULL when level is out of range.
 */
struct souk_gzip *souk_gzip_new(int level, souk_gzip_sink_fn sink, void *arg);

/*
 * Compresses len bytes of data (borrowed for the call), passing full output chunks to the sink.
 * After a sink failure, every later write and finish returns that status; after finish, writes
 * return SOUK_EINVAL.
 */
int souk_gzip_write(struct souk_gzip *gz, const void *data, size_t len) SOUK_MUST_CHECK;

/* Writes the rest of the stream and its trailer to the sink. */
int souk_gzip_finish(struct souk_gzip *gz) SOUK_MUST_CHECK;

void souk_gzip_free(struct souk_gzip *gz); /* NULL is fine; an unfinished stream is abandoned */

#endif
