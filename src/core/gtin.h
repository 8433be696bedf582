/*
 * gtin: GS1 Global Trade Item Numbers (the barcode behind UPC, EAN and ITF-14).
 *
 * A GTIN is 8, 12, 13 or 14 digits whose last digit is a mod-10 check digit computed with the
 * weights 3,1,3,1... from the right. Every platform's catalog rejects a bad one, so souk checks
 * it on the way in. Depends on core/str and core/err only.
 */
#ifndef SOUK_CORE_GTIN_H
#define SOUK_CORE_GTIN_H

#include <stdbool.h>

#include "core/err.h"
#include "core/str.h"

/* True for 8, 12, 13 or 14 ASCII digits with a correct check digit. */
bool souk_gtin_is_valid(struct souk_str s);

/* SOUK_OK, or SOUK_EINVAL naming param with what is wrong (length, non-digit, check digit). */
int souk_gtin_check(struct souk_str s, const char *param, struct souk_err *err) SOUK_MUST_CHECK;

/* The check digit (0..9) for 7, 11, 12 or 13 digits (a GTIN without its last digit), else -1. */
int souk_gtin_check_digit(struct souk_str digits);

#endif
