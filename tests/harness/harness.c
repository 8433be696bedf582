/* harness: see harness.h. */
#include "harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"

#define MAX_ARGS 32
#define OUTPUT_MAX (64 << 20)
#define LOG_MAX (16 << 20)
#define WAIT_MS 10000
#define POLL_MS 20
#define CLI_WAIT_MS 60000  /* a CLI command under the sanitizers */
#define STOP_WAIT_MS 20000 /* serve's 10 s shutdown grace, and some */

void souk_h_sleep_ms(int ms)
{
    struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
        ;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void read_file(const char *path, struct souk_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        if (souk_buf_add(out, chunk, (size_t)n) != SOUK_OK) {
            close(fd);
            fail_msg("%s is over %zu bytes", path, out->_max);
        }
    close(fd);
}

/* The last bytes of the server log, for failure messages. */
static const char *log_tail(const struct souk_h_server *s, struct souk_buf *log)
{
    read_file(s->log_path, log);
    return log->len > 3000 ? log->data + log->len - 3000 : log->data;
}

static void redirect(const char *path, int target, int flags)
{
    int fd = open(path, flags, 0600);
    if (fd < 0 || dup2(fd, target) < 0)
        _exit(127);
    close(fd);
}

static int exit_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Waits for pid up to timeout_ms; a child still running then is killed and fails the test, so a
 * hung command shows up as a failure naming it rather than as the ctest timeout.
 */
static int wait_child(pid_t pid, int timeout_ms, const char *what)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return exit_status(status);
        if (got < 0 && errno != EINTR)
            fail_msg("waitpid %d: %s", (int)pid, strerror(errno));
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            fail_msg("%s did not exit within %d ms", what, timeout_ms);
        }
        souk_h_sleep_ms(5);
    }
}

/*
 * Runs argv (argv[0] a path, or a command found on PATH) with stdin from stdin_path (or
 * /dev/null) and stdout and stderr captured into out and errout (either may be NULL); returns
 * the exit status.
 */
static int run_argv(char *const argv[], const char *stdin_path, struct souk_buf *out,
                    struct souk_buf *errout)
{
    char out_path[] = "/tmp/souk-h-out-XXXXXX", err_path[] = "/tmp/souk-h-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    assert_true(out_fd >= 0 && err_fd >= 0);
    close(out_fd);
    close(err_fd);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        redirect(stdin_path ? stdin_path : "/dev/null", 0, O_RDONLY);
        redirect(out_path, 1, O_WRONLY | O_CREAT | O_TRUNC);
        redirect(err_path, 2, O_WRONLY | O_CREAT | O_TRUNC);
        execvp(argv[0], argv);
        _exit(127);
    }
    /* souk is named by its subcommand, anything else by its name */
    int status = wait_child(pid, CLI_WAIT_MS, strcmp(argv[0], SOUK_BIN) == 0 ? argv[1] : argv[0]);
    if (out)
        read_file(out_path, out);
    if (errout)
        read_file(err_path, errout);
    unlink(out_path);
    unlink(err_path);
    return status;
}

int souk_h_run(const char *stdin_path, struct souk_buf *out, struct souk_buf *errout,
               const char *arg, ...)
{
    char *argv[MAX_ARGS] = {SOUK_BIN};
    size_t n = 1;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a; a = va_arg(ap, const char *)) {
        if (n == MAX_ARGS - 1)
            fail_msg("souk_h_run: more than %d arguments", MAX_ARGS - 2);
        argv[n++] = (char *)a;
    }
    va_end(ap);
    argv[n] = NULL;
    return run_argv(argv, stdin_path, out, errout);
}

void souk_h_sql(const struct souk_h_server *s, const char *sql)
{
    assert_int_equal(s->pid, 0);
    char path[160];
    snprintf(path, sizeof path, "%s/souk.db", s->dir);
    char *argv[] = {"sqlite3", "-bail", path, (char *)sql, NULL};
    struct souk_buf errout = SOUK_BUF_INIT(4096);
    int status = run_argv(argv, NULL, NULL, &errout);
    if (status != 0)
        fail_msg("sqlite3 %s failed (%d): %s", sql, status, errout.data);
    souk_buf_release(&errout);
}

void souk_h_read_file(const char *path, struct souk_buf *out)
{
    if (access(path, R_OK) != 0)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    read_file(path, out);
}

void souk_h_mint(struct souk_h_server *s, const char *scopes, char key[SOUK_H_KEY_MAX],
                 char key_id[SOUK_H_ID_MAX])
{
    struct souk_buf out = SOUK_BUF_INIT(4096), errout = SOUK_BUF_INIT(4096);
    int status = souk_h_run(NULL, &out, &errout, "apikey", "create", "--scope", scopes, "--name",
                            "test", "--db", s->db, NULL);
    if (status != 0 || out.len < 10 || out.len >= SOUK_H_KEY_MAX || out.data[out.len - 1] != '\n')
        fail_msg("souk apikey create failed (%d): %s%s", status, out.data, errout.data);
    snprintf(key, SOUK_H_KEY_MAX, "%.*s", (int)out.len - 1, out.data); /* drop the newline */
    /* The key is sk_<id body>_<secret>; its id is key_<id body>. */
    const char *body = key + 3, *end = strchr(body, '_');
    snprintf(key_id, SOUK_H_ID_MAX, "key_%.*s", end ? (int)(end - body) : 0, body);
    souk_buf_release(&out);
    souk_buf_release(&errout);
}

void souk_h_revoke(struct souk_h_server *s, const char *key_id)
{
    struct souk_buf errout = SOUK_BUF_INIT(4096);
    int status = souk_h_run(NULL, NULL, &errout, "apikey", "revoke", key_id, "--db", s->db, NULL);
    if (status != 0)
        fail_msg("souk apikey revoke %s failed (%d): %s", key_id, status, errout.data);
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

void souk_h_assert_same_export(const struct souk_buf *a, const struct souk_buf *b, const char *what)
{
    if (a->len == b->len && memcmp(a->data, b->data, a->len) == 0)
        return;
    size_t at = 0, line = 1;
    while (at < a->len && at < b->len && a->data[at] == b->data[at])
        line += a->data[at++] == '\n';
    fail_msg("%s changed the store: exports differ at line %zu (byte %zu):\nbefore: %.300s\n"
             "after:  %.300s",
             what, line, at, a->data + at, b->data + at);
}

/* ---- the server ---- */

/* Waits for the "listening" log line and reads the port from it. */
static uint16_t wait_for_port(struct souk_h_server *s)
{
    int64_t deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        struct souk_buf log = SOUK_BUF_INIT(LOG_MAX);
        read_file(s->log_path, &log);
        const char *line = strstr(log.data, "msg=listening");
        if (!line)
            line = strstr(log.data, "msg=\"listening\"");
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
        souk_h_sleep_ms(POLL_MS);
    }
    struct souk_buf log = SOUK_BUF_INIT(LOG_MAX);
    fail_msg("souk serve did not start listening:\n%s", log_tail(s, &log));
    return 0;
}

static void spawn_server(struct souk_h_server *s, const char *extra_flag);

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
    spawn_server(s, extra_flag);
}

void souk_h_restart(struct souk_h_server *s)
{
    assert_int_equal(s->pid, 0);
    spawn_server(s, NULL);
}

/* Starts `souk serve` on s's store, its log in s->log_path, and waits for its port. */
static void spawn_server(struct souk_h_server *s, const char *extra_flag)
{
    char *argv[] = {SOUK_BIN, "serve",     "--listen", "127.0.0.1:0",      "--db",
                    s->db,    "--threads", "4",        (char *)extra_flag, NULL};
    /* Emptied here, not only in the child: a restart must not read the last run's port. */
    int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    close(fd);
    pid_t parent = getpid();
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* A test binary that crashes must not leave its server running. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
            _exit(127);
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
    pid_t pid = s->pid;
    s->pid = 0; /* even if the wait fails the test */
    return wait_child(pid, STOP_WAIT_MS, "souk serve after SIGTERM");
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
    while (vlen && *v == ' ') {
        v++;
        vlen--;
    }
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
    copy_header(line, len, "X-Request-Id", r->request_id, sizeof r->request_id);
    return len;
}

/* What one transfer owns until it completes. */
struct transfer {
    CURL *curl;
    struct curl_slist *headers;
    char url[2048];
};

/* Prepares t to send a request whose answer lands in resp (see souk_h_request). */
static void transfer_init(struct transfer *t, const struct souk_h_server *s, const char *method,
                          const char *path, const char *key, const char *body,
                          const char *const *headers, struct souk_h_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    souk_buf_init(&resp->body, OUTPUT_MAX);
    t->curl = curl_easy_init();
    assert_non_null(t->curl);
    snprintf(t->url, sizeof t->url, "http://127.0.0.1:%u%s", s->port, path);
    t->headers = NULL;
    bool typed = false;
    for (size_t i = 0; headers && headers[i]; i++) {
        t->headers = curl_slist_append(t->headers, headers[i]);
        typed = typed || strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body && !typed)
        t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
    if (key) {
        char auth[256];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        t->headers = curl_slist_append(t->headers, auth); /* copied */
    }
    t->headers = curl_slist_append(t->headers, "Expect:"); /* send bodies at once */
    CURL *curl = t->curl;
    curl_easy_setopt(curl, CURLOPT_URL, t->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
}

/* Reads the status and parses the body; fails the test (with the log's tail) on rc. */
static void transfer_finish(struct transfer *t, const struct souk_h_server *s, CURLcode rc,
                            const char *what, struct souk_h_resp *resp)
{
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(t->headers);
    curl_easy_cleanup(t->curl);
    t->curl = NULL;
    if (rc != CURLE_OK) {
        struct souk_buf log = SOUK_BUF_INIT(LOG_MAX);
        fail_msg("%s: %s; server log ends:\n%s", what, curl_easy_strerror(rc), log_tail(s, &log));
    }
    if (strncmp(resp->content_type, "application/json", 16) == 0)
        resp->json = json_loadb(resp->body.data, resp->body.len, 0, NULL);
}

void souk_h_request(const struct souk_h_server *s, const char *method, const char *path,
                    const char *key, const char *body, const char *const *headers,
                    struct souk_h_resp *resp)
{
    struct transfer t;
    transfer_init(&t, s, method, path, key, body, headers, resp);
    transfer_finish(&t, s, curl_easy_perform(t.curl), path, resp);
}

void souk_h_parallel(const struct souk_h_server *s, const char *key, struct souk_h_call *calls,
                     size_t n)
{
    struct transfer t[SOUK_H_PARALLEL_MAX];
    if (n > SOUK_H_PARALLEL_MAX)
        fail_msg("souk_h_parallel: at most %d calls", SOUK_H_PARALLEL_MAX);
    CURLM *multi = curl_multi_init();
    assert_non_null(multi);
    for (size_t i = 0; i < n; i++) {
        transfer_init(&t[i], s, calls[i].method, calls[i].path, key, calls[i].body,
                      calls[i].headers, &calls[i].resp);
        curl_multi_add_handle(multi, t[i].curl);
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            fail_msg("curl_multi_perform failed");
        if (running)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)))
        if (msg->msg == CURLMSG_DONE) {
            size_t i = 0;
            while (i < n && t[i].curl != msg->easy_handle)
                i++;
            assert_true(i < n);
            CURLcode rc = msg->data.result;
            curl_multi_remove_handle(multi, t[i].curl);
            transfer_finish(&t[i], s, rc, calls[i].path, &calls[i].resp);
        }
    curl_multi_cleanup(multi);
    for (size_t i = 0; i < n; i++)
        if (t[i].curl)
            fail_msg("%s never completed", calls[i].path);
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
    if (strncmp(resp->content_type, "application/json", 16) != 0)
        fail_msg("error with Content-Type \"%s\": %s", resp->content_type, resp->body.data);
    json_t *error = json_object_get(resp->json, "error");
    if (!json_is_object(error) || json_object_size(resp->json) != 1)
        fail_msg("not the error shape: %s", resp->body.data);
    const char *got_type = souk_h_str(error, "type");
    if (strcmp(got_type, type) != 0)
        fail_msg("error type %s, want %s: %s", got_type, type, resp->body.data);
    if (souk_h_str(error, "message")[0] == '\0')
        fail_msg("error without a message: %s", resp->body.data);
    const char *rid = souk_h_str(error, "request_id");
    if (rid[0] == '\0' || strcmp(rid, resp->request_id) != 0)
        fail_msg("error request_id \"%s\" is not the X-Request-Id \"%s\"", rid, resp->request_id);
    json_t *got_param = json_object_get(error, "param");
    if (param ? !json_is_string(got_param) || strcmp(json_string_value(got_param), param) != 0
              : !(got_param == NULL || json_is_null(got_param)))
        fail_msg("error param in %s, want %s", resp->body.data, param ? param : "null");
}

void souk_h_create(const struct souk_h_server *s, const char *path, const char *body,
                   char id[SOUK_H_ID_MAX])
{
    struct souk_h_resp r;
    souk_h_request(s, "POST", path, s->key, body, NULL, &r);
    if (r.status != 201 || souk_h_str(r.json, "id")[0] == '\0')
        fail_msg("POST %s: %ld %s", path, r.status, r.body.data);
    snprintf(id, SOUK_H_ID_MAX, "%s", souk_h_str(r.json, "id"));
    souk_h_resp_release(&r);
}

json_t *souk_h_call(const struct souk_h_server *s, const char *method, const char *path,
                    const char *body, long want)
{
    struct souk_h_resp r;
    souk_h_request(s, method, path, s->key, body, NULL, &r);
    if (r.status != want)
        fail_msg("%s %s: %ld, want %ld: %s", method, path, r.status, want, r.body.data);
    json_t *j = json_incref(r.json);
    souk_h_resp_release(&r);
    return j;
}

json_t *souk_h_get(const struct souk_h_server *s, const char *path)
{
    json_t *j = souk_h_call(s, "GET", path, NULL, 200);
    if (!j)
        fail_msg("GET %s: the answer is not JSON", path);
    return j;
}

size_t souk_h_count(const struct souk_h_server *s, const char *path)
{
    json_t *page = souk_h_get(s, path);
    json_t *data = json_object_get(page, "data");
    if (!json_is_array(data))
        fail_msg("GET %s: no data array", path);
    size_t n = json_array_size(data);
    json_decref(page);
    return n;
}

/* ---- JSON ---- */

const char *souk_h_str(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? s : "";
}

json_t *souk_h_at(json_t *root, const char *path)
{
    json_t *at = root;
    const char *p = path;
    while (at && *p) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            size_t index = 0;
            for (p++; *p >= '0' && *p <= '9'; p++)
                index = index * 10 + (size_t)(*p - '0');
            if (*p++ != ']')
                fail_msg("bad JSON path %s", path);
            at = json_array_get(at, index);
        } else {
            size_t len = strcspn(p, ".[");
            at = json_object_getn(at, p, len);
            p += len;
        }
    }
    return at;
}

const char *souk_h_text(json_t *root, const char *path)
{
    const char *s = json_string_value(souk_h_at(root, path));
    return s ? s : "";
}

int64_t souk_h_int(json_t *root, const char *path)
{
    json_t *v = souk_h_at(root, path);
    if (!json_is_integer(v)) {
        char *text = json_dumps(root, JSON_COMPACT);
        fail_msg("no integer at %s in %.2000s", path, text ? text : "(null)");
    }
    return json_integer_value(v);
}

/* ---- the server's log and state ---- */

/* Finds a line of text containing every needle; copies it into line. */
static bool find_line(const char *text, const char *const *needles, size_t n, char *line,
                      size_t linesz)
{
    for (const char *start = text; *start;) {
        const char *end = strchr(start, '\n');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        bool all = true;
        for (size_t i = 0; i < n && all; i++) {
            const char *hit = memmem(start, len, needles[i], strlen(needles[i]));
            all = hit != NULL;
        }
        if (all) {
            if (line)
                snprintf(line, linesz, "%.*s", (int)len, start);
            return true;
        }
        start += len + (end ? 1 : 0);
    }
    return false;
}

void souk_h_wait_log(const struct souk_h_server *s, char *line, size_t linesz, const char *needle,
                     ...)
{
    const char *needles[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, needle);
    for (const char *a = needle; a && n < 16; a = va_arg(ap, const char *))
        needles[n++] = a;
    va_end(ap);
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        struct souk_buf log = SOUK_BUF_INIT(LOG_MAX);
        read_file(s->log_path, &log);
        bool found = find_line(log.data, needles, n, line, linesz);
        if (!found && now_ms() >= deadline)
            fail_msg("no log line with \"%s\"...; the log ends:\n%s", needle,
                     log.len > 3000 ? log.data + log.len - 3000 : log.data);
        souk_buf_release(&log);
        if (found)
            return;
        souk_h_sleep_ms(POLL_MS);
    }
}

bool souk_h_log_contains(const struct souk_h_server *s, const char *text)
{
    struct souk_buf log = SOUK_BUF_INIT(LOG_MAX);
    read_file(s->log_path, &log);
    bool found = strstr(log.data, text) != NULL;
    souk_buf_release(&log);
    return found;
}

void souk_h_wait_metric(const struct souk_h_server *s, const char *sample)
{
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        struct souk_h_resp r;
        souk_h_request(s, "GET", "/metrics", s->key, NULL, NULL, &r);
        if (r.status != 200)
            fail_msg("GET /metrics: %ld %s", r.status, r.body.data);
        size_t len = strlen(sample);
        bool found = false;
        /* a whole line: the sample followed by its newline */
        for (const char *hit = r.body.data; !found && (hit = strstr(hit, sample)); hit++)
            found = (hit == r.body.data || hit[-1] == '\n') && hit[len] == '\n';
        if (!found && now_ms() >= deadline) {
            /* The sample's own lines, not the whole page: CI logs cut long output. */
            size_t name_len = strcspn(sample, " {");
            char seen[1024] = "";
            size_t seen_len = 0;
            for (const char *line = r.body.data; line && *line && seen_len < sizeof seen - 1;) {
                const char *end = strchr(line, '\n');
                int line_len = end ? (int)(end - line) : (int)strlen(line);
                if (strncmp(line, sample, name_len) == 0)
                    seen_len += (size_t)snprintf(seen + seen_len, sizeof seen - seen_len,
                                                 "%.*s\n", line_len, line);
                line = end ? end + 1 : NULL;
            }
            souk_h_resp_release(&r);
            fail_msg("/metrics never showed \"%s\"; its last answer had:\n%s", sample,
                     seen_len ? seen : "(no such metric)\n");
        }
        souk_h_resp_release(&r);
        if (found)
            return;
        souk_h_sleep_ms(POLL_MS);
    }
}

void souk_h_wait_in_flight(const struct souk_h_server *s, int n)
{
    char sample[64];
    snprintf(sample, sizeof sample, "souk_http_requests_in_flight %d", n + 1); /* + the poll */
    souk_h_wait_metric(s, sample);
}

/* ---- raw HTTP ---- */

int souk_h_raw_connect(const struct souk_h_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        fail_msg("connect to port %u: %s", s->port, strerror(errno));
    return fd;
}

void souk_h_raw_send(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail_msg("send: %s", strerror(errno));
        data += n;
        len -= (size_t)n;
    }
}

/* The Content-Length of a response whose headers end at head_end, or -1. */
static long content_length(const char *head, const char *head_end)
{
    for (const char *p = head; p && p < head_end; p = strstr(p, "\r\n")) {
        p += p == head ? 0 : 2;
        if (strncasecmp(p, "Content-Length:", 15) == 0) {
            const char *v = p + 15;
            v += strspn(v, " ");
            int64_t n;
            if (souk_str_to_i64((struct souk_str){v, strspn(v, "0123456789")}, 0, OUTPUT_MAX, &n) ==
                SOUK_OK)
                return (long)n;
        }
    }
    return -1;
}

long souk_h_raw_response(int fd, struct souk_buf *out, size_t *body_at)
{
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        const char *head_end = strstr(out->data, "\r\n\r\n");
        if (head_end) {
            long want = content_length(out->data, head_end);
            size_t at = (size_t)(head_end + 4 - out->data);
            if (want >= 0 && out->len >= at + (size_t)want) {
                int64_t status = 0;
                if (strncmp(out->data, "HTTP/1.1 ", 9) != 0 ||
                    souk_str_to_i64((struct souk_str){out->data + 9, 3}, 100, 599, &status) !=
                        SOUK_OK)
                    fail_msg("not an HTTP response: %.200s", out->data);
                if (body_at)
                    *body_at = at;
                return (long)status;
            }
        }
        int left = (int)(deadline - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            fail_msg("no whole response within %d ms; got: %.500s", WAIT_MS, out->data);
        char chunk[8192];
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail_msg("the connection closed mid-response; got: %.500s", out->data);
        if (souk_buf_add(out, chunk, (size_t)n) != SOUK_OK)
            fail_msg("response over %zu bytes", out->_max);
    }
}

/* ---- the platform simulator ---- */

#define SIM_ANNOUNCE "souk sim: listening on http://127.0.0.1:"

/* In the child: stdout to out_fd, stderr to log_path, then exec `souk sim`. */
static void exec_sim(pid_t parent, int out_fd, const char *log_path, const char *config)
{
    int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    /* A test binary that crashes must not leave its simulator running. */
    bool orphan = prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent;
    if (orphan || log < 0 || dup2(out_fd, 1) < 0 || dup2(log, 2) < 0)
        _exit(127);
    execl(SOUK_BIN, SOUK_BIN, "sim", "--listen", "127.0.0.1:0", config ? "--config" : NULL,
          config, (char *)NULL);
    _exit(127);
}

void souk_h_sim_start(struct souk_h_server *s, const char *config)
{
    int out[2];
    pid_t parent = getpid();
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/souk-sim-it-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->log_path, sizeof s->log_path, "%s/sim.log", s->dir);
    assert_int_equal(pipe(out), 0);
    s->pid = fork();
    if (s->pid == 0)
        exec_sim(parent, out[1], s->log_path, config);
    assert_true(s->pid > 0);
    close(out[1]);
    char line[128] = "";
    size_t len = 0;
    struct pollfd pfd = {.fd = out[0], .events = POLLIN};
    while (len < sizeof line - 1 && !strchr(line, '\n') && poll(&pfd, 1, 10000) == 1) {
        ssize_t n = read(out[0], line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(out[0]);
    int64_t port = 0;
    if (strncmp(line, SIM_ANNOUNCE, strlen(SIM_ANNOUNCE)) != 0 ||
        souk_str_to_i64((struct souk_str){line + strlen(SIM_ANNOUNCE),
                                          strcspn(line + strlen(SIM_ANNOUNCE), "\n")},
                        1, 65535, &port) != SOUK_OK)
        fail_msg("souk sim did not announce its address; stdout: \"%s\"", line);
    s->port = (uint16_t)port;
}

json_t *souk_h_sim_item(const struct souk_h_server *sim, const char *platform, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/_sim/items/%s/%s", platform, id);
    struct souk_h_resp r;
    souk_h_request(sim, "GET", path, NULL, NULL, NULL, &r);
    if ((r.status != 200 || !r.json) && r.status != 404)
        fail_msg("GET %s: %ld %s", path, r.status, r.body.data);
    json_t *item = r.status == 200 ? json_incref(r.json) : NULL;
    souk_h_resp_release(&r);
    return item;
}

size_t souk_h_images_on_sim(const struct souk_h_server *s, const struct souk_h_server *sim)
{
    json_t *page = souk_h_get(s, "/v1/products?limit=250");
    size_t i, active = 0;
    json_t *p;
    json_array_foreach(json_object_get(page, "data"), i, p)
    {
        const char *handle = json_string_value(json_object_get(p, "handle"));
        char path[128], body[512];
        snprintf(path, sizeof path, "/v1/products/%s",
                 json_string_value(json_object_get(p, "id")));
        snprintf(body, sizeof body,
                 "{\"media\": [{\"url\": \"http://127.0.0.1:%u/_sim/images/800x800.png?p=%s\"}]}",
                 sim->port, handle);
        json_decref(souk_h_call(s, "PATCH", path, body, 200));
        active += strcmp(json_string_value(json_object_get(p, "status")), "active") == 0;
    }
    json_decref(page);
    return active;
}

json_t *souk_h_sim_items(const struct souk_h_server *sim, const char *platform)
{
    char path[128];
    snprintf(path, sizeof path, "/_sim/items?platform=%s", platform);
    struct souk_h_resp r;
    souk_h_request(sim, "GET", path, NULL, NULL, NULL, &r);
    json_t *items = json_object_get(r.json, "items");
    if (r.status != 200 || !json_is_array(items))
        fail_msg("GET %s: %ld %s", path, r.status, r.body.data);
    json_incref(items);
    souk_h_resp_release(&r);
    return items;
}

size_t souk_h_sim_count(const struct souk_h_server *sim, const char *platform)
{
    json_t *items = souk_h_sim_items(sim, platform);
    size_t n = json_array_size(items);
    json_decref(items);
    return n;
}

void souk_h_sim_wait_count(const struct souk_h_server *sim, const char *platform, size_t n)
{
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        size_t seen = souk_h_sim_count(sim, platform);
        if (seen == n)
            return;
        if (now_ms() >= deadline)
            fail_msg("the sim holds %zu %s items, not %zu", seen, platform, n);
        souk_h_sleep_ms(POLL_MS);
    }
}

void souk_h_sim_wait_quantity(const struct souk_h_server *sim, const char *platform, const char *id,
                              int64_t quantity)
{
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        json_t *item = souk_h_sim_item(sim, platform, id);
        int64_t seen = item ? json_integer_value(json_object_get(item, "quantity")) : -1;
        json_decref(item);
        if (seen == quantity)
            return;
        if (now_ms() >= deadline)
            fail_msg("%s shows %s with quantity %lld, not %lld", platform, id, (long long)seen,
                     (long long)quantity);
        souk_h_sleep_ms(POLL_MS);
    }
}

void souk_h_sim_fault(const struct souk_h_server *sim, const char *fault)
{
    struct souk_h_resp r;
    souk_h_request(sim, "POST", "/_sim/faults", NULL, fault, NULL, &r);
    if (r.status != 200)
        fail_msg("POST /_sim/faults %s: %ld %s", fault, r.status, r.body.data);
    souk_h_resp_release(&r);
}

void souk_h_sim_deliver_to(const struct souk_h_server *sim, const struct souk_h_server *souk,
                           const char *platform, const char *channel)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"platform\": \"%s\", \"url\": \"http://127.0.0.1:%u/webhooks/%s\"}", platform,
             souk->port, channel);
    struct souk_h_resp r;
    souk_h_request(sim, "POST", "/_sim/webhooks", NULL, body, NULL, &r);
    if (r.status != 200)
        fail_msg("POST /_sim/webhooks %s: %ld %s", body, r.status, r.body.data);
    souk_h_resp_release(&r);
}

/* ---- channel sync ---- */

/* The id of the stock row in the warehouse with this code of the variant v, or NULL. */
static const char *warehouse_of(json_t *v, const char *warehouse_code)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(v, "stock"), i, row)
    {
        if (strcmp(souk_h_str(row, "warehouse_code"), warehouse_code) == 0)
            return souk_h_str(row, "warehouse_id");
    }
    return NULL;
}

void souk_h_set_stock(const struct souk_h_server *s, const char *sku, const char *warehouse_code,
                      int on_hand)
{
    char path[256], body[64];
    snprintf(path, sizeof path, "/v1/products?q=%s", sku);
    json_t *page = souk_h_get(s, path);
    path[0] = '\0';
    size_t i, j;
    json_t *p, *v;
    json_array_foreach(json_object_get(page, "data"), i, p)
    {
        json_array_foreach(json_object_get(p, "variants"), j, v)
        {
            const char *warehouse = warehouse_of(v, warehouse_code);
            if (strcmp(souk_h_str(v, "sku"), sku) == 0 && warehouse)
                snprintf(path, sizeof path, "/v1/stock/%s/%s", souk_h_str(v, "id"), warehouse);
        }
    }
    json_decref(page);
    if (!path[0])
        fail_msg("no variant %s with stock in %s", sku, warehouse_code);
    snprintf(body, sizeof body, "{\"on_hand\": %d}", on_hand);
    struct souk_h_resp r;
    souk_h_request(s, "PUT", path, s->key, body, NULL, &r);
    if (r.status != 200)
        fail_msg("PUT %s %s: %ld %s", path, body, r.status, r.body.data);
    souk_h_resp_release(&r);
}

json_t *souk_h_sync_status(const struct souk_h_server *s, const char *channel)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s/sync", channel);
    return souk_h_get(s, path);
}

/* What a wait on a channel's sync status waits for: all of the conditions set. */
struct sync_goal {
    bool settled;      /* nothing pending but `held` held changes, no resync under way */
    int64_t held;      /* with settled: this many pending, all held by the update limit */
    int64_t synced;    /* this many synced; -1: any */
    const char *error; /* last_error contains it ("": any error); NULL: any last_error */
};

static bool sync_reached(json_t *st, struct sync_goal goal)
{
    const char *error = souk_h_text(st, "last_error");
    return (!goal.settled ||
            (souk_h_int(st, "pending") == goal.held && souk_h_int(st, "held") == goal.held &&
             !json_is_true(souk_h_at(st, "resyncing")))) &&
           (goal.synced < 0 || souk_h_int(st, "synced") == goal.synced) &&
           (!goal.error || (error[0] && strstr(error, goal.error)));
}

/* Polls channel's sync status until it reaches goal; fails the test, showing it, at WAIT_MS. */
static json_t *wait_sync(const struct souk_h_server *s, const char *channel, struct sync_goal goal)
{
    int64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        json_t *st = souk_h_sync_status(s, channel);
        if (sync_reached(st, goal))
            return st;
        if (now_ms() >= deadline) {
            char *text = json_dumps(st, JSON_COMPACT);
            fail_msg("channel %s: after %d ms its sync status is still %s", channel, WAIT_MS,
                     text ? text : "(null)");
        }
        json_decref(st);
        souk_h_sleep_ms(POLL_MS);
    }
}

json_t *souk_h_wait_settled(const struct souk_h_server *s, const char *channel)
{
    return wait_sync(s, channel, (struct sync_goal){.settled = true, .synced = -1});
}

json_t *souk_h_wait_synced(const struct souk_h_server *s, const char *channel, int64_t n)
{
    return wait_sync(s, channel, (struct sync_goal){.settled = true, .synced = n});
}

json_t *souk_h_wait_held(const struct souk_h_server *s, const char *channel, int64_t n)
{
    return wait_sync(s, channel, (struct sync_goal){.settled = true, .held = n, .synced = -1});
}

json_t *souk_h_wait_sync_error(const struct souk_h_server *s, const char *channel,
                               const char *needle)
{
    return wait_sync(s, channel, (struct sync_goal){.synced = -1, .error = needle});
}
