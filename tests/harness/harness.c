/* harness: see harness.h. */
#include "harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"

#define MAX_ARGS 32
#define OUTPUT_MAX (64 << 20)

static void read_file(const char *path, struct souk_buf *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        if (souk_buf_add(out, chunk, (size_t)n) != SOUK_OK)
            fail_msg("output of %s is over %d bytes", path, OUTPUT_MAX);
    close(fd);
}

static void redirect(const char *path, int target, int flags)
{
    int fd = open(path, flags, 0600);
    if (fd < 0 || dup2(fd, target) < 0)
        _exit(127);
    close(fd);
}

/* Runs argv with stdin/stdout/stderr redirected to files; returns the exit status. */
static int run_argv(char *const argv[], const char *in, const char *out, const char *errout)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        redirect(in ? in : "/dev/null", 0, O_RDONLY);
        redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
        redirect(errout, 2, O_WRONLY | O_CREAT | O_TRUNC);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int souk_h_run(const char *stdin_path, struct souk_buf *out, struct souk_buf *errout,
               const char *arg, ...)
{
    char *argv[MAX_ARGS] = {SOUK_BIN};
    size_t n = 1;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < MAX_ARGS - 1; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    char out_path[] = "/tmp/souk-h-out-XXXXXX", err_path[] = "/tmp/souk-h-err-XXXXXX";
    close(mkstemp(out_path));
    close(mkstemp(err_path));
    int status = run_argv(argv, stdin_path, out_path, err_path);
    if (out)
        read_file(out_path, out);
    if (errout)
        read_file(err_path, errout);
    unlink(out_path);
    unlink(err_path);
    return status;
}

void souk_h_mint(struct souk_h_server *s, const char *scopes, char key[160], char key_id[64])
{
    struct souk_buf out = SOUK_BUF_INIT(4096), errout = SOUK_BUF_INIT(4096);
    int status = souk_h_run(NULL, &out, &errout, "apikey", "create", "--scope", scopes, "--name",
                            "test", "--db", s->db, NULL);
    if (status != 0 || out.len < 10 || out.len >= 160)
        fail_msg("souk apikey create failed (%d): %s", status, errout.data);
    snprintf(key, 160, "%.*s", (int)out.len - 1, out.data); /* drop the newline */
    /* The key is sk_<id body>_<secret>; its id is key_<id body>. */
    const char *body = key + 3, *end = strchr(body, '_');
    snprintf(key_id, 64, "key_%.*s", end ? (int)(end - body) : 0, body);
    souk_buf_release(&out);
    souk_buf_release(&errout);
}

void souk_h_export(struct souk_h_server *s, struct souk_buf *out)
{
    souk_buf_init(out, OUTPUT_MAX);
    struct souk_buf errout = SOUK_BUF_INIT(4096);
    int status = souk_h_run(NULL, out, &errout, "export", "jsonl", "--db", s->db, NULL);
    if (status != 0)
        fail_msg("souk export failed (%d): %s", status, errout.data);
    souk_buf_release(&errout);
}

/* Waits for the "listening" log line and reads the port from it. */
static uint16_t wait_for_port(struct souk_h_server *s)
{
    for (int tries = 0; tries < 200; tries++) {
        struct souk_buf log = SOUK_BUF_INIT(1 << 20);
        read_file(s->log_path, &log);
        const char *line = strstr(log.data, "msg=listening");
        const char *port = line ? strstr(line, " port=") : NULL;
        int64_t value = 0;
        bool found =
            port && souk_str_to_i64((struct souk_str){port + 6, strspn(port + 6, "0123456789")}, 1,
                                    65535, &value) == SOUK_OK;
        souk_buf_release(&log);
        if (found)
            return (uint16_t)value;
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            break;
        }
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    struct souk_buf log = SOUK_BUF_INIT(1 << 20);
    read_file(s->log_path, &log);
    fail_msg("souk serve did not start listening:\n%s", log.data);
    return 0;
}

void souk_h_start(struct souk_h_server *s, const char *extra_flag)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/souk-it-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->db, sizeof s->db, "sqlite:%s/souk.db", s->dir);
    snprintf(s->log_path, sizeof s->log_path, "%s/server.log", s->dir);
    struct souk_buf errout = SOUK_BUF_INIT(4096);
    if (souk_h_run(NULL, NULL, &errout, "migrate", "--db", s->db, NULL) != 0)
        fail_msg("souk migrate failed: %s", errout.data);
    souk_buf_release(&errout);
    souk_h_mint(s, "admin", s->key, s->key_id);
    char *argv[] = {SOUK_BIN, "serve",     "--listen", "127.0.0.1:0",      "--db",
                    s->db,    "--threads", "4",        (char *)extra_flag, NULL};
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        redirect("/dev/null", 0, O_RDONLY);
        redirect("/dev/null", 1, O_WRONLY);
        redirect(s->log_path, 2, O_WRONLY | O_CREAT | O_TRUNC);
        execv(argv[0], argv);
        _exit(127);
    }
    s->port = wait_for_port(s);
}

int souk_h_stop(struct souk_h_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status;
    while (waitpid(s->pid, &status, 0) < 0)
        ;
    s->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void souk_h_cleanup(struct souk_h_server *s)
{
    if (s->pid > 0)
        souk_h_stop(s);
    DIR *dir = opendir(s->dir);
    if (!dir)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", s->dir, e->d_name);
            unlink(path);
        }
    closedir(dir);
    rmdir(s->dir);
}

int souk_h_setup(void **state)
{
    static struct souk_h_server server; /* cmocka runs one test at a time */
    souk_h_start(&server, NULL);
    *state = &server;
    return 0;
}

int souk_h_teardown(void **state)
{
    souk_h_cleanup(*state);
    return 0;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct souk_buf *body = arg;
    return souk_buf_add(body, data, size * n) == SOUK_OK ? size * n : 0;
}

static void copy_header(const char *line, size_t len, const char *name, char *out, size_t outsz)
{
    size_t nlen = strlen(name);
    if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
        return;
    const char *v = line + nlen + 1;
    size_t vlen = len - nlen - 1;
    while (vlen && (*v == ' '))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
        vlen--;
    snprintf(out, outsz, "%.*s", (int)vlen, v);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    struct souk_h_resp *r = arg;
    size_t len = size * n;
    copy_header(line, len, "ETag", r->etag, sizeof r->etag);
    copy_header(line, len, "Location", r->location, sizeof r->location);
    copy_header(line, len, "Content-Type", r->content_type, sizeof r->content_type);
    copy_header(line, len, "Allow", r->allow, sizeof r->allow);
    copy_header(line, len, "WWW-Authenticate", r->www_authenticate, sizeof r->www_authenticate);
    return len;
}

void souk_h_request(const struct souk_h_server *s, const char *method, const char *path,
                    const char *key, const char *body, const char *const *headers,
                    struct souk_h_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    souk_buf_init(&resp->body, OUTPUT_MAX);
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    char url[512], auth[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", s->port, path);
    struct curl_slist *list = NULL;
    bool typed = false;
    for (size_t i = 0; headers && headers[i]; i++) {
        list = curl_slist_append(list, headers[i]);
        typed = typed || strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body && !typed)
        list = curl_slist_append(list, "Content-Type: application/json");
    if (key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        list = curl_slist_append(list, auth);
    }
    list = curl_slist_append(list, "Expect:"); /* send bodies at once */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (strncmp(resp->content_type, "application/json", 16) == 0)
        resp->json = json_loadb(resp->body.data, resp->body.len, 0, NULL);
}

void souk_h_resp_release(struct souk_h_resp *resp)
{
    json_decref(resp->json);
    souk_buf_release(&resp->body);
    memset(resp, 0, sizeof *resp);
}

void souk_h_assert_error(const struct souk_h_resp *resp, long status, const char *type,
                         const char *param)
{
    if (resp->status != status)
        fail_msg("status %ld, want %ld: %s", resp->status, status, resp->body.data);
    json_t *error = json_object_get(resp->json, "error");
    if (!json_is_object(error))
        fail_msg("no error object in %s", resp->body.data);
    const char *got_type = souk_h_str(error, "type");
    if (strcmp(got_type, type) != 0)
        fail_msg("error type %s, want %s: %s", got_type, type, resp->body.data);
    if (souk_h_str(error, "message")[0] == '\0' ||
        strncmp(souk_h_str(error, "request_id"), "req_", 4) != 0)
        fail_msg("error without message or request_id: %s", resp->body.data);
    json_t *got_param = json_object_get(error, "param");
    if (param ? !json_is_string(got_param) || strcmp(json_string_value(got_param), param) != 0
              : !json_is_null(got_param))
        fail_msg("error param %s, want %s", resp->body.data, param ? param : "null");
}

const char *souk_h_str(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? s : "";
}
