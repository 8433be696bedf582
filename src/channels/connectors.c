/* connectors: the table of platforms souk can publish to (see channels_int.h). */
#include <string.h>

#include "channels/channels_int.h"

static const struct souk_channels__connector *const connectors[] = {
    &souk_channels__meta,   &souk_channels__google,   &souk_channels__pinterest,
    &souk_channels__tiktok, &souk_channels__snapchat, &souk_channels__wechat,
    &souk_channels__line,   &souk_channels__kakao,
};

#define NCONNECTORS (sizeof connectors / sizeof connectors[0])

static const char *const platform_names[NCONNECTORS + 1] = {
    "meta", "google", "pinterest", "tiktok", "snapchat", "wechat", "line", "kakao", NULL,
};

const struct souk_channels__connector *souk_channels__connector(const char *platform)
{
    for (size_t i = 0; i < NCONNECTORS; i++)
        if (strcmp(connectors[i]->platform, platform) == 0)
            return connectors[i];
    return NULL;
}

const char *const *souk_channels_platforms(void)
{
    return platform_names;
}
