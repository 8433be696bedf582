/*
 * jsonout: JSON text written straight into a souk_buf, member by member, in one pass, for the
 * answers on the hot path (an order's 201): building a jansson tree, dumping it and freeing
 * it cost a quarter of an HTTP thread's time per order. The output is what jansson's compact
 * dump writes: no spaces, UTF-8 as it is, '/' not escaped.
 *
 * The first failure sticks (the buffer's cap, or nesting deeper than SOUK_JSONOUT_MAX_DEPTH)
 * and souk_jsonout_end reports it; calls after it do nothing. key is a member's name inside an
 * object and NULL for an array element or the top-level value. Strings are UTF-8; malformed
 * bytes are written as U+FFFD, so the output is always valid JSON.
 *
 * Depends on core/ only.
 */
#ifndef SOUK_CORE_JSONOUT_H
#define SOUK_CORE_JSONOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

#define SOUK_JSONOUT_MAX_DEPTH 32

struct souk_jsonout {
    struct souk_buf *buf;
    int rc;
    unsigned depth;
    uint32_t started; /* bit d: the container at depth d has a member already */
    uint32_t arrays;  /* bit d: the container at depth d is an array */
};

struct souk_jsonout souk_jsonout_begin(struct souk_buf *buf);
int souk_jsonout_end(struct souk_jsonout *w) SOUK_MUST_CHECK;

void souk_jsonout_object(struct souk_jsonout *w, const char *key); /* opens {...} */
void souk_jsonout_array(struct souk_jsonout *w, const char *key);  /* opens [...] */
void souk_jsonout_close(struct souk_jsonout *w);                   /* the innermost one */

void souk_jsonout_string(struct souk_jsonout *w, const char *key, const char *value); /* NULL: null */
void souk_jsonout_int(struct souk_jsonout *w, const char *key, int64_t value);
void souk_jsonout_bool(struct souk_jsonout *w, const char *key, bool value);
void souk_jsonout_null(struct souk_jsonout *w, const char *key);

/* One JSON string with its quotes, escaped as RFC 8259 requires. */
int souk_jsonout_quoted(struct souk_buf *buf, struct souk_str s) SOUK_MUST_CHECK;

#endif
