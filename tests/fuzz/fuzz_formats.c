/* libFuzzer harness for the small parsers: locales, decimal amounts, GTINs, RFC 3339 times. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/gtin.h"
#include "core/locale.h"
#include "core/money.h"
#include "core/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct souk_str s = {(const char *)data, size};
    char canonical[SOUK_LOCALE_MAX], chain[4][SOUK_LOCALE_MAX];
    if (souk_locale_canonicalize(s, canonical) == SOUK_OK) {
        if (strlen(canonical) != size)
            __builtin_trap(); /* canonical forms keep the length */
        if (souk_locale_fallback_chain(s, "en", chain, 4) == 0)
            __builtin_trap();
    }
    int64_t amount;
    for (int exponent = 0; exponent <= 3; exponent++)
        (void)souk_money_parse_decimal(s, exponent, &amount, NULL);
    if (souk_gtin_is_valid(s) != (souk_gtin_check(s, "gtin", NULL) == SOUK_OK))
        __builtin_trap(); /* the predicate and the check agree */
    int64_t us;
    if (souk_time_parse(s, &us) == SOUK_OK) {
        char text[SOUK_TIME_RFC3339_MAX];
        souk_time_format(us, text);
        int64_t again;
        if (souk_time_parse(souk_str_from(text), &again) != SOUK_OK || again != us)
            __builtin_trap(); /* formatting round-trips */
    }
    return 0;
}
