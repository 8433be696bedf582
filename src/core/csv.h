/*
 * csv: a streaming RFC 4180 reader with constant memory, for bulk imports.
 *
 * Records end at LF or CRLF; quoted fields may hold commas, newlines and "" (a quote). A record
 * is returned as views into a reusable buffer, valid until the next souk_csv_next, so a file of
 * any size is read in the memory of its longest record (bounded by max_record). Line numbers
 * are tracked so an importer can say "line 1234: ...". Depends on core/ only; reads with read(2).
 */
#ifndef SOUK_CORE_CSV_H
#define SOUK_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct souk_csv;

/* Starts reading fd (borrowed: never closed here). Fields above max_field bytes and records
 * above max_record bytes are errors rather than allocations. */
struct souk_csv *souk_csv_open_fd(int fd, size_t max_field, size_t max_record);
void souk_csv_close(struct souk_csv *csv); /* NULL is fine */

/*
 * Reads the next record: 1 when one is available, 0 at the end of input, or a negative status
 * (SOUK_EINVAL for bad quoting, SOUK_ETOOBIG for an oversize field or record, SOUK_EIO for a
 * read error) with "line N: ..." in err. Empty lines are skipped.
 */
int souk_csv_next(struct souk_csv *csv, struct souk_err *err) SOUK_MUST_CHECK;

size_t souk_csv_field_count(const struct souk_csv *csv);

/* Field i of the current record, unquoted; the empty view when i is out of range. */
struct souk_str souk_csv_field(const struct souk_csv *csv, size_t i);

/* The 1-based line where the current record starts; after the end, the number of lines read. */
uint64_t souk_csv_record_line(const struct souk_csv *csv);

/* The index of the current record's field equal to name (surrounding spaces ignored), or -1. */
int souk_csv_header_index(const struct souk_csv *csv, const char *name);

#endif
