/*
 * locale: BCP 47 language tags in the subset commerce uses (language, optional script, optional
 * region: "en", "pt-BR", "zh-Hant-TW", "es-419"), and ISO 3166-1 alpha-2 country codes.
 *
 * Tags are accepted in any letter case with '-' or '_' separators and stored in canonical form,
 * so "pt_br" and "pt-BR" are one locale. Depends on core/str and core/err only.
 */
#ifndef SOUK_CORE_LOCALE_H
#define SOUK_CORE_LOCALE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

#define SOUK_LOCALE_MAX 16 /* buffer size for any canonical tag, with its NUL */

/* True for an officially assigned ISO 3166-1 alpha-2 code in upper case ("DE", "US"). */
bool souk_country_is_valid(struct souk_str code);

/* Writes the canonical form of tag ("pt-BR"); SOUK_EINVAL when it is not a known locale. */
int souk_locale_canonicalize(struct souk_str tag, char out[SOUK_LOCALE_MAX]) SOUK_MUST_CHECK;

bool souk_locale_is_valid(struct souk_str tag);

/* SOUK_OK, or SOUK_EINVAL naming param with an example of a good tag. */
int souk_locale_check(struct souk_str tag, const char *param, struct souk_err *err)
    SOUK_MUST_CHECK;

/*
 * The lookup order for tag: the canonical tag, each shorter prefix, then default_locale, without
 * duplicates ("zh-Hant-TW" gives zh-Hant-TW, zh-Hant, zh, en). Returns how many were written
 * (at most max; 0 when tag is not valid).
 */
size_t souk_locale_fallback_chain(struct souk_str tag, const char *default_locale,
                                  char out[][SOUK_LOCALE_MAX], size_t max);

#endif
