/* csv: see csv.h. */
#include "core/csv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"

#define READ_SIZE (64 * 1024)
#define END_OF_INPUT (-1)
#define READ_FAILED (-2)

struct souk_csv {
    int fd;
    char in[READ_SIZE]; /* bytes read but not yet consumed: in[pos..end) */
    size_t pos, end;
    bool at_eof, started;
    int read_errno;
    uint64_t line;        /* line of the next byte to consume */
    uint64_t record_line; /* where the current record started */
    bool last_was_newline;
    char *data; /* the current record's field bytes, back to back */
    size_t len, cap;
    size_t *ends; /* field i is data[ends[i-1] .. ends[i]) (ends[-1] being 0) */
    size_t nfields, fields_cap;
    size_t max_field, max_record;
};

struct souk_csv *souk_csv_open_fd(int fd, size_t max_field, size_t max_record)
{
    struct souk_csv *csv = souk_calloc(1, sizeof *csv);
    csv->fd = fd;
    csv->line = 1;
    csv->max_field = max_field;
    csv->max_record = max_record;
    /* Allocated up front so a view of an empty record never points at NULL. */
    csv->cap = 4096;
    csv->data = souk_malloc(csv->cap);
    csv->fields_cap = 64;
    csv->ends = souk_malloc(csv->fields_cap * sizeof *csv->ends);
    return csv;
}

void souk_csv_close(struct souk_csv *csv)
{
    if (!csv)
        return;
    souk_free(csv->data);
    souk_free(csv->ends);
    souk_free(csv);
}

static bool refill(struct souk_csv *csv)
{
    if (csv->at_eof)
        return false;
    ssize_t n;
    do
        n = read(csv->fd, csv->in, sizeof csv->in);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        csv->at_eof = true;
        csv->read_errno = n < 0 ? errno : 0;
        return false;
    }
    csv->pos = 0;
    csv->end = (size_t)n;
    if (!csv->started) { /* a UTF-8 byte order mark, as Excel writes, is not data */
        csv->started = true;
        if (csv->end >= 3 && memcmp(csv->in, "\xEF\xBB\xBF", 3) == 0)
            csv->pos = 3;
    }
    return csv->pos < csv->end || refill(csv);
}

static inline int peek(struct souk_csv *csv)
{
    if (csv->pos == csv->end && !refill(csv))
        return csv->read_errno ? READ_FAILED : END_OF_INPUT;
    return (unsigned char)csv->in[csv->pos];
}

static inline int take(struct souk_csv *csv)
{
    int c = peek(csv);
    if (c >= 0) {
        csv->pos++;
        csv->last_was_newline = c == '\n';
        if (c == '\n')
            csv->line++;
    }
    return c;
}

static int fail(struct souk_csv *csv, struct souk_err *err, int code, const char *what)
{
    return souk_err_set(err, code, NULL, "line %llu: %s", (unsigned long long)csv->record_line,
                        what);
}

static int append(struct souk_csv *csv, char c, struct souk_err *err)
{
    size_t field_start = csv->nfields ? csv->ends[csv->nfields - 1] : 0;
    if (csv->len - field_start >= csv->max_field)
        return souk_err_set(err, SOUK_ETOOBIG, NULL, "line %llu: a field is longer than %zu bytes",
                            (unsigned long long)csv->record_line, csv->max_field);
    if (csv->len >= csv->max_record)
        return souk_err_set(err, SOUK_ETOOBIG, NULL,
                            "line %llu: a record is longer than %zu bytes",
                            (unsigned long long)csv->record_line, csv->max_record);
    if (csv->len == csv->cap) {
        csv->cap *= 2;
        csv->data = souk_realloc(csv->data, csv->cap);
    }
    csv->data[csv->len++] = c;
    return SOUK_OK;
}

static void end_field(struct souk_csv *csv)
{
    if (csv->nfields == csv->fields_cap) {
        csv->fields_cap *= 2;
        csv->ends = souk_realloc(csv->ends, csv->fields_cap * sizeof *csv->ends);
    }
    csv->ends[csv->nfields++] = csv->len;
}

/* Consumes the record terminator c ('\r' may be followed by '\n'); true when c ended it. */
static bool record_end(struct souk_csv *csv, int c)
{
    if (c == '\n' || c < 0)
        return true;
    if (c == '\r' && peek(csv) == '\n') {
        take(csv);
        return true;
    }
    return false;
}

/* Reads a quoted field after its opening quote; leaves the byte after the closing quote. */
static int read_quoted(struct souk_csv *csv, struct souk_err *err)
{
    for (;;) {
        int c = take(csv);
        if (c == READ_FAILED)
            return fail(csv, err, SOUK_EIO, "the file could not be read");
        if (c == END_OF_INPUT)
            return fail(csv, err, SOUK_EINVAL, "unterminated quoted field");
        if (c == '"') {
            if (peek(csv) != '"')
                return SOUK_OK;
            take(csv);
        }
        int rc = append(csv, (char)c, err);
        if (rc != SOUK_OK)
            return rc;
    }
}

/* Reads one field; *last says the record ended with it. */
static int read_field(struct souk_csv *csv, bool *last, struct souk_err *err)
{
    int c = take(csv);
    if (c == '"') {
        int rc = read_quoted(csv, err);
        if (rc != SOUK_OK)
            return rc;
        c = take(csv);
        if (c != ',' && !record_end(csv, c))
            return fail(csv, err, SOUK_EINVAL, "unexpected character after a closing quote");
    } else {
        while (c != ',' && !record_end(csv, c)) {
            int rc = append(csv, (char)c, err);
            if (rc != SOUK_OK)
                return rc;
            c = take(csv);
        }
    }
    if (c == READ_FAILED)
        return fail(csv, err, SOUK_EIO, "the file could not be read");
    end_field(csv);
    *last = c != ',';
    return SOUK_OK;
}

int souk_csv_next(struct souk_csv *csv, struct souk_err *err)
{
    for (;;) {
        csv->len = csv->nfields = 0;
        int c = peek(csv);
        if (c == READ_FAILED)
            return souk_err_set(err, SOUK_EIO, NULL, "line %llu: the file could not be read",
                                (unsigned long long)csv->line);
        if (c == END_OF_INPUT) {
            csv->record_line = csv->last_was_newline ? csv->line - 1 : csv->line;
            return 0;
        }
        csv->record_line = csv->line;
        bool last = false, quoted = c == '"';
        while (!last) {
            int rc = read_field(csv, &last, err);
            if (rc != SOUK_OK)
                return rc;
        }
        if (csv->nfields > 1 || csv->len > 0 || quoted)
            return 1;
        /* an empty line: not a record */
    }
}

size_t souk_csv_field_count(const struct souk_csv *csv)
{
    return csv->nfields;
}

struct souk_str souk_csv_field(const struct souk_csv *csv, size_t i)
{
    if (i >= csv->nfields)
        return (struct souk_str){"", 0};
    size_t start = i ? csv->ends[i - 1] : 0;
    return (struct souk_str){csv->data + start, csv->ends[i] - start};
}

uint64_t souk_csv_record_line(const struct souk_csv *csv)
{
    return csv->record_line;
}

int souk_csv_header_index(const struct souk_csv *csv, const char *name)
{
    for (size_t i = 0; i < csv->nfields; i++) {
        struct souk_str f = souk_csv_field(csv, i);
        while (f.len && f.ptr[0] == ' ')
            f = (struct souk_str){f.ptr + 1, f.len - 1};
        while (f.len && f.ptr[f.len - 1] == ' ')
            f.len--;
        if (souk_str_eq_cstr(f, name))
            return (int)i;
    }
    return -1;
}
