/* id: see id.h. */
#include "core/id.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/time.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void souk_id_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "souk: getrandom failed: %s\n", strerror(errno));
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

/*
 * Ids draw their random part from a per-thread buffer filled 4 KiB at a time: one getrandom(2)
 * per 400 ids instead of one per id, which bulk imports notice. The bytes are the kernel's
 * CSPRNG output either way. (souk never forks, so no two processes share a buffer.)
 */
static void id_random(unsigned char out[10])
{
    static _Thread_local unsigned char buffer[4000];
    static _Thread_local size_t left;
    if (left < 10) {
        souk_id_random(buffer, sizeof buffer);
        left = sizeof buffer;
    }
    memcpy(out, buffer + sizeof buffer - left, 10);
    left -= 10;
}

/*
 * Within one millisecond (or if the clock steps back) a thread's next id is its previous one
 * plus one, as monotonic ULIDs do, so ids made one after another sort in the order they were
 * made: an import lists products in file order.
 */
static void next_random(uint64_t *ms, unsigned char out[10])
{
    static _Thread_local uint64_t last_ms;
    static _Thread_local unsigned char last[10];
    if (*ms > last_ms) {
        id_random(last);
        last_ms = *ms;
    } else {
        *ms = last_ms;
        int i = 9;
        while (i >= 0 && ++last[i] == 0) /* carry; 80 bits do not run out in a millisecond */
            i--;
    }
    memcpy(out, last, 10);
}

void souk_id_new(const char *kind, char out[SOUK_ID_MAX])
{
    unsigned char raw[16];
    uint64_t ms = (uint64_t)(souk_time_now_us() / 1000);
    next_random(&ms, raw + 6);
    for (int i = 0; i < 6; i++)
        raw[i] = (unsigned char)(ms >> (40 - 8 * i));

    char body[SOUK_ID_BODY_LEN + 1];
    /* 128 bits as 26 base32 digits: the first digit carries the top 3 bits. */
    unsigned bits = 0;
    uint32_t acc = 0;
    int pos = SOUK_ID_BODY_LEN - 1;
    for (int i = 15; i >= 0 && pos >= 0; i--) {
        acc |= (uint32_t)raw[i] << bits;
        bits += 8;
        while (bits >= 5 && pos >= 0) {
            body[pos--] = crockford[acc & 31];
            acc >>= 5;
            bits -= 5;
        }
    }
    if (pos >= 0)
        body[pos] = crockford[acc & 31];
    body[SOUK_ID_BODY_LEN] = '\0';
    snprintf(out, SOUK_ID_MAX, "%.20s_%s", kind, body);
}

bool souk_id_is_valid(struct souk_str s, const char *kind)
{
    size_t klen = strlen(kind);
    if (s.len != klen + 1 + SOUK_ID_BODY_LEN || memcmp(s.ptr, kind, klen) != 0 ||
        s.ptr[klen] != '_')
        return false;
    for (size_t i = klen + 1; i < s.len; i++)
        if (!memchr(crockford, s.ptr[i], sizeof crockford - 1))
            return false;
    return s.ptr[klen + 1] <= '7';
}
