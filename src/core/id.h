/*
 * id: sortable, node-independent identifiers such as "prod_01JDQ3ZK8X4M2V7N9B5C6T0RYW".
 *
 * The part after the kind prefix is 26 Crockford base32 characters: 48 bits of millisecond time
 * then 80 random bits from getrandom(2), so ids sort by creation time across nodes and never
 * need coordination. Depends on libc and the kernel's CSPRNG only.
 */
#ifndef SOUK_CORE_ID_H
#define SOUK_CORE_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "core/str.h"

#define SOUK_ID_BODY_LEN 26
#define SOUK_ID_MAX 48 /* prefix (up to 20 bytes) + '_' + body + NUL */

/* Writes "<kind>_<body>" into out; kind is a short lowercase word such as "prod". */
void souk_id_new(const char *kind, char out[SOUK_ID_MAX]);

/* Fills buf with n cryptographically random bytes; aborts if the kernel cannot supply them. */
void souk_id_random(void *buf, size_t n);

/* True when s is "<kind>_" followed by a well-formed body. */
bool souk_id_is_valid(struct souk_str s, const char *kind);

#endif
