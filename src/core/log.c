/* log: see log.h. */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "core/time.h"

/* Set once at start-up, before any thread exists; read-only afterwards. */
static enum souk_log_level threshold = SOUK_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int souk_log_level_parse(const char *name, enum souk_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (name && strcmp(name, level_names[i]) == 0) {
            *out = (enum souk_log_level)i;
            return SOUK_OK;
        }
    }
    return SOUK_EINVAL;
}

void souk_log_set_level(enum souk_log_level level)
{
    threshold = level;
}

bool souk_log_enabled(enum souk_log_level level)
{
    return level >= threshold;
}

int souk_log_kv(struct souk_buf *buf, const char *key, struct souk_str value)
{
    bool quote = value.len == 0;
    for (size_t i = 0; i < value.len && !quote; i++) {
        unsigned char c = (unsigned char)value.ptr[i];
        quote = c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f;
    }
    int rc = souk_buf_addch(buf, ' ');
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(buf, key);
    if (rc == SOUK_OK)
        rc = souk_buf_addch(buf, '=');
    if (rc != SOUK_OK)
        return rc;
    if (!quote)
        return souk_buf_add(buf, value.ptr, value.len);
    rc = souk_buf_addch(buf, '"');
    for (size_t i = 0; i < value.len && rc == SOUK_OK; i++) {
        unsigned char c = (unsigned char)value.ptr[i];
        if (c == '"' || c == '\\')
            rc = souk_buf_addf(buf, "\\%c", c);
        else if (c == '\n')
            rc = souk_buf_addstr(buf, "\\n");
        else if (c < ' ' || c == 0x7f)
            rc = souk_buf_addf(buf, "\\x%02x", c);
        else
            rc = souk_buf_addch(buf, (char)c);
    }
    if (rc == SOUK_OK)
        rc = souk_buf_addch(buf, '"');
    return rc;
}

void souk_log_write_line(struct souk_buf *buf)
{
    if (souk_buf_addch(buf, '\n') != SOUK_OK) {
        /* The line hit its cap: end it anyway so the next line starts cleanly. */
        buf->data[buf->len - 1] = '\n';
    }
    size_t off = 0;
    while (off < buf->len) {
        ssize_t n = write(STDERR_FILENO, buf->data + off, buf->len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
}

void souk_log(enum souk_log_level level, const char *msg, ...)
{
    if (!souk_log_enabled(level))
        return;
    struct souk_buf line = SOUK_BUF_INIT(8192);
    char ts[SOUK_TIME_RFC3339_MAX];
    souk_time_format(souk_time_now_us(), ts);
    int rc = souk_buf_addf(&line, "ts=%s level=%s", ts, level_names[level]);
    if (rc == SOUK_OK)
        rc = souk_log_kv(&line, "msg", souk_str_from(msg));
    va_list ap;
    va_start(ap, msg);
    for (const char *key = va_arg(ap, const char *); key && rc == SOUK_OK;
         key = va_arg(ap, const char *))
        rc = souk_log_kv(&line, key, souk_str_from(va_arg(ap, const char *)));
    va_end(ap);
    souk_log_write_line(&line);
    souk_buf_release(&line);
}
