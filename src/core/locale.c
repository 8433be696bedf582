/* locale: see locale.h. */
#include "core/locale.h"

#include <string.h>

/* ISO 639-1 language codes, two letters each, sorted. */
static const char languages[] =
    "aaabaeafakamanarasavayazbabebgbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoeseteufaff"
    "fifjfofrfygagdglgngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikjkkklkmknkokr"
    "kskukvkwkylalblglilnloltlulvmgmhmimkmlmnmrmsmtmynanbndnengnlnnnonrnvnyocojomorospapipl"
    "psptqurmrnrorurwsascsdsesgsiskslsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttwtyugukur"
    "uzvevivowawoxhyiyozazhzu";

/* ISO 3166-1 alpha-2 officially assigned codes, sorted. */
static const char countries[] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCH"
    "CICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGN"
    "GPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLI"
    "LKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOM"
    "PAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTD"
    "TFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/* Binary search in a sorted run of two-letter codes. */
static bool in_pairs(const char *table, size_t table_len, const char *code)
{
    size_t lo = 0, hi = table_len / 2;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(code, table + 2 * mid, 2);
        if (cmp == 0)
            return true;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

bool souk_country_is_valid(struct souk_str code)
{
    return code.len == 2 && code.ptr[0] >= 'A' && code.ptr[0] <= 'Z' && code.ptr[1] >= 'A' &&
           code.ptr[1] <= 'Z' && in_pairs(countries, sizeof countries - 1, code.ptr);
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool all(struct souk_str s, bool (*pred)(char))
{
    for (size_t i = 0; i < s.len; i++)
        if (!pred(s.ptr[i]))
            return false;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

#define MAX_SUBTAGS 3 /* language, script, region */

/* Splits tag at '-' or '_'; false when it has more subtags than a commerce locale uses. */
static bool split_subtags(struct souk_str tag, struct souk_str parts[MAX_SUBTAGS], size_t *count)
{
    size_t start = 0;
    *count = 0;
    for (size_t i = 0; i <= tag.len; i++) {
        if (i < tag.len && tag.ptr[i] != '-' && tag.ptr[i] != '_')
            continue;
        if (*count == MAX_SUBTAGS)
            return false;
        parts[(*count)++] = (struct souk_str){tag.ptr + start, i - start};
        start = i + 1;
    }
    return true;
}

static int add_language(struct souk_str s, char *out, size_t *n)
{
    if ((s.len != 2 && s.len != 3) || !all(s, is_alpha))
        return SOUK_EINVAL;
    char code[3];
    for (size_t i = 0; i < s.len; i++)
        out[(*n)++] = code[i] = lower(s.ptr[i]);
    return s.len == 3 || in_pairs(languages, sizeof languages - 1, code) ? SOUK_OK : SOUK_EINVAL;
}

static void add_script(struct souk_str s, char *out, size_t *n)
{
    out[(*n)++] = '-';
    for (size_t i = 0; i < 4; i++)
        out[(*n)++] = i == 0 ? upper(s.ptr[i]) : lower(s.ptr[i]);
}

static int add_region(struct souk_str s, char *out, size_t *n)
{
    out[(*n)++] = '-';
    if (s.len == 3 && all(s, is_digit)) {
        for (size_t i = 0; i < 3; i++)
            out[(*n)++] = s.ptr[i];
        return SOUK_OK;
    }
    if (s.len != 2 || !all(s, is_alpha))
        return SOUK_EINVAL;
    char code[2] = {upper(s.ptr[0]), upper(s.ptr[1])};
    out[(*n)++] = code[0];
    out[(*n)++] = code[1];
    return souk_country_is_valid((struct souk_str){code, 2}) ? SOUK_OK : SOUK_EINVAL;
}

int souk_locale_canonicalize(struct souk_str tag, char out[SOUK_LOCALE_MAX])
{
    struct souk_str parts[MAX_SUBTAGS];
    size_t count, n = 0, next = 1;
    if (!tag.ptr || tag.len > SOUK_LOCALE_MAX - 1 || !split_subtags(tag, parts, &count) ||
        add_language(parts[0], out, &n) != SOUK_OK)
        return SOUK_EINVAL;
    if (next < count && parts[next].len == 4 && all(parts[next], is_alpha))
        add_script(parts[next++], out, &n);
    if (next < count && add_region(parts[next++], out, &n) != SOUK_OK)
        return SOUK_EINVAL;
    if (next != count)
        return SOUK_EINVAL; /* variants and extensions are not used in commerce */
    out[n] = '\0';
    return SOUK_OK;
}

bool souk_locale_is_valid(struct souk_str tag)
{
    char canonical[SOUK_LOCALE_MAX];
    return souk_locale_canonicalize(tag, canonical) == SOUK_OK;
}

int souk_locale_check(struct souk_str tag, const char *param, struct souk_err *err)
{
    if (souk_locale_is_valid(tag))
        return SOUK_OK;
    return souk_err_set(err, SOUK_EINVAL, param,
                        "unknown locale \"%.*s\": use a BCP 47 tag such as en, pt-BR or "
                        "zh-Hant-TW",
                        (int)(tag.len > 32 ? 32 : tag.len), tag.ptr ? tag.ptr : "");
}

static bool listed(char out[][SOUK_LOCALE_MAX], size_t n, const char *tag)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i], tag) == 0)
            return true;
    return false;
}

size_t souk_locale_fallback_chain(struct souk_str tag, const char *default_locale,
                                  char out[][SOUK_LOCALE_MAX], size_t max)
{
    char canonical[SOUK_LOCALE_MAX];
    if (max == 0 || souk_locale_canonicalize(tag, canonical) != SOUK_OK)
        return 0;
    size_t n = 0;
    for (;;) {
        memcpy(out[n++], canonical, SOUK_LOCALE_MAX);
        char *dash = strrchr(canonical, '-');
        if (!dash || n == max)
            break;
        *dash = '\0';
    }
    if (n < max && default_locale && strlen(default_locale) < SOUK_LOCALE_MAX &&
        !listed(out, n, default_locale)) {
        memcpy(out[n], default_locale, strlen(default_locale) + 1);
        n++;
    }
    return n;
}
