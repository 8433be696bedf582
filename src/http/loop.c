/*
 * loop: the server's connections, on epoll threads (see http_int.h).
 *
 * Each thread owns a listening socket (SO_REUSEPORT, so the kernel spreads new connections
 * evenly) and every connection it accepts, for the connection's whole life: a connection is
 * only ever touched by its thread, except for the wake-up list the intake writer appends to.
 * Sockets are registered once, edge-triggered for reading and writing, so parking a request
 * costs no epoll_ctl: the loop simply stops reading the connection until its answer is sent,
 * and remembers whether the socket may still hold bytes. A read shorter than the room offered
 * drained the socket, so the loop never spends a call to hear EAGAIN after a request.
 *
 * What the client sends is bounded: the head by SOUK_HTTP__MAX_HEAD, the body by the route's
 * limit, the connections by MAX_CONNECTIONS, and the time a connection may sit idle or stalled
 * by IDLE_TIMEOUT_US. A connection that must close while the client may still be sending (a
 * refused body) is closed the lingering way: shut for writing, then read and dropped for a
 * moment, so the client reads its answer instead of a reset.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "http/http_int.h"

#define IN_CAP (16 * 1024)             /* a connection's read buffer: a head fits with room */
#define MAX_CONNECTIONS 10000          /* across the threads; more are closed at accept */
#define IDLE_TIMEOUT_US (30 * 1000000) /* no progress for this long closes a connection */
#define LINGER_US (2 * 1000000)        /* how long a lingering close reads and drops */
#define DISCARD_MAX (1024 * 1024)      /* body bytes read and dropped for a route without one */
#define EVENTS_PER_WAIT 256
#define ACCEPTS_PER_WAKE 64
#define STREAM_SIZE_LINE 24 /* "\r\n%zx\r\n" framing a piece */

enum conn_state {
    READING,  /* the head, then the body, of the next request */
    RUNNING,  /* the server has the request (parked while it waits for the intake writer) */
    WRITING,  /* the answer is going out */
    LINGERING /* answered and shut for writing; dropping what the client still sends */
};

struct loop_thread;

struct souk_http__conn {
    struct loop_thread *thread;
    struct souk_http__conn *prev, *next; /* the thread's connections */
    struct souk_http__conn *next_woken;  /* the thread's wake-up list, under its lock */
    int fd;
    enum conn_state state;
    bool readable; /* the socket may hold bytes not read yet (edge-triggered) */
    bool writable; /* the last send did not fill the socket */
    bool closing;  /* close (or linger) once the answer is out */
    int64_t active_us;

    /* Input: in[0..head_len) is the current request's head (parsed in place), in[head_len..
     * in_len) what came after it and is not consumed yet. */
    char in[IN_CAP];
    size_t in_len, head_len;
    struct souk_http__head head;
    struct souk_http__framing framing;
    bool head_only;     /* a HEAD request: the answer has no body */
    void *req;          /* the handler's request state, from start to finish */
    size_t body_limit;  /* 0: the route takes no body, it is dropped (up to DISCARD_MAX) */
    uint64_t body_left; /* Content-Length bytes still to read */
    uint64_t dropped;   /* body bytes read and dropped, for a route that takes none */
    struct souk_http__chunked chunked;
    struct souk_buf body;
    int body_refusal; /* 413 (too big, not read to its end) or 400 (bad chunk framing) */

    /* Output: out holds the head (and, for a stream, the framing of the current piece). */
    struct souk_buf out;
    size_t out_sent;
    char *body_out; /* souk_free'd once sent */
    size_t body_out_len, body_out_sent;
    struct souk_http__source source; /* a streamed body (source.next set) */
    bool source_done;                /* its last piece is out (or queued) */
    bool chunk_framing;              /* the stream's pieces are sent chunked (HTTP/1.1) */
    bool piece_open;                 /* a chunk's data went out and its CRLF has not */
    bool stream_ended;               /* the last chunk (or, unchunked, the last piece) is queued */
};

struct loop_thread {
    struct souk_http__loop *loop;
    pthread_t thread;
    bool started;
    int epfd, listen_fd, wake_fd;
    pthread_mutex_t lock;
    struct souk_http__conn *woken; /* under lock */
    struct souk_http__conn *conns;
    char date[SOUK_TIME_RFC3339_MAX];
    int64_t date_second;
    int64_t swept_us;
};

struct souk_http__loop {
    struct souk_http__handler handler;
    struct loop_thread *threads;
    int nthreads;
    int accepting;        /* atomic: 0 once quiesced */
    int stopping;         /* atomic */
    uint64_t connections; /* atomic */
};

/* ---- connections ---- */

static void conn_reset_request(struct souk_http__conn *c)
{
    c->req = NULL;
    c->head_len = 0;
    c->head_only = false;
    c->body_limit = 0;
    c->body_left = 0;
    c->dropped = 0;
    c->chunked = (struct souk_http__chunked)SOUK_HTTP__CHUNKED_INIT;
    souk_buf_release(&c->body);
    c->body_refusal = 0;
    souk_buf_reset(&c->out);
    c->out_sent = 0;
    if (!c->source.next) /* a stream's pieces are its source's */
        souk_free(c->body_out);
    c->body_out = NULL;
    c->body_out_len = c->body_out_sent = 0;
    if (c->source.release)
        c->source.release(c->source.ctx);
    c->source = (struct souk_http__source){0};
    c->source_done = c->piece_open = c->stream_ended = false;
    c->state = READING;
}

static void conn_close(struct souk_http__conn *c)
{
    struct loop_thread *t = c->thread;
    if (c->req)
        t->loop->handler.finish(c->req, false);
    conn_reset_request(c);
    souk_buf_release(&c->out);
    close(c->fd); /* also drops it from the epoll set */
    if (c->prev)
        c->prev->next = c->next;
    else
        t->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    __atomic_fetch_sub(&t->loop->connections, 1, __ATOMIC_RELAXED);
    souk_free(c);
}

static void conn_open(struct loop_thread *t, int fd)
{
    struct souk_http__conn *c = souk_calloc(1, sizeof *c);
    c->thread = t;
    c->fd = fd;
    c->readable = true;
    c->writable = true;
    c->active_us = souk_time_monotonic_us();
    c->body = (struct souk_buf)SOUK_BUF_INIT(0);
    c->out = (struct souk_buf)SOUK_BUF_INIT(IN_CAP + STREAM_SIZE_LINE);
    c->next = t->conns;
    if (t->conns)
        t->conns->prev = c;
    t->conns = c;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* answers go out whole */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        conn_close(c);
}

/* Starts a lingering close: the answer is out; tell the client, then drop what it sends. */
static void conn_linger(struct souk_http__conn *c)
{
    shutdown(c->fd, SHUT_WR);
    c->state = LINGERING;
    c->active_us = souk_time_monotonic_us();
}

/* Reads what the socket holds into in; false when nothing came (EAGAIN) or it closed. */
static bool conn_read(struct souk_http__conn *c, bool *closed)
{
    *closed = false;
    if (!c->readable || c->in_len == IN_CAP)
        return false;
    size_t room = IN_CAP - c->in_len;
    ssize_t n;
    do
        n = recv(c->fd, c->in + c->in_len, room, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        c->in_len += (size_t)n;
        c->readable = (size_t)n == room; /* a short read drained the socket */
        c->active_us = souk_time_monotonic_us();
        return true;
    }
    if (n < 0 && errno == EAGAIN) {
        c->readable = false;
        return false;
    }
    *closed = true; /* the client closed, or the connection failed */
    return false;
}

/* ---- answers ---- */

static const char *reason_phrase(int status)
{
    static const struct {
        int status;
        const char *reason;
    } reasons[] = {
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {304, "Not Modified"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {409, "Conflict"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {503, "Service Unavailable"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return status < 500 ? "Client Error" : "Server Error"; /* the code is what clients read */
}

static const char *http_date(struct loop_thread *t)
{
    int64_t now = souk_time_now_us();
    if (now / 1000000 != t->date_second) {
        t->date_second = now / 1000000;
        souk_time_format_http(now, t->date);
    }
    return t->date;
}

/* Appends "name: value\r\n". */
static int add_field(struct souk_buf *out, const char *name, const char *value)
{
    int rc = souk_buf_addstr(out, name);
    if (rc == SOUK_OK)
        rc = souk_buf_add(out, ": ", 2);
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, value);
    if (rc == SOUK_OK)
        rc = souk_buf_add(out, "\r\n", 2);
    return rc;
}

/*
 * Writes the status line and fields (the loop's own, then the server's), appended piece by
 * piece rather than formatted: this runs for every answer. The head is bounded, so only its
 * cap can fail it.
 */
static int write_head(struct souk_http__conn *c, int status, const struct souk_http__header *h,
                      size_t n, const char *length_field, const char *length)
{
    struct souk_buf *out = &c->out;
    souk_buf_reset(out);
    char code[4] = {(char)('0' + status / 100 % 10), (char)('0' + status / 10 % 10),
                    (char)('0' + status % 10), '\0'};
    int rc = souk_buf_addstr(out, "HTTP/1.1 ");
    if (rc == SOUK_OK)
        rc = souk_buf_add(out, code, 3);
    if (rc == SOUK_OK)
        rc = souk_buf_addch(out, ' ');
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, reason_phrase(status));
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, "\r\n");
    if (rc == SOUK_OK)
        rc = add_field(out, "Date", http_date(c->thread));
    for (size_t i = 0; rc == SOUK_OK && i < n; i++)
        rc = add_field(out, h[i].name, h[i].value);
    if (rc == SOUK_OK && length_field)
        rc = add_field(out, length_field, length);
    if (rc == SOUK_OK && c->closing)
        rc = add_field(out, "Connection", "close");
    else if (rc == SOUK_OK && c->head.minor == 0)
        rc = add_field(out, "Connection", "keep-alive");
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, "\r\n");
    return rc;
}

/* The decimal digits of n, into buf (at least 21 bytes). */
static const char *decimal(size_t n, char *buf, size_t size)
{
    char *p = buf + size - 1;
    *p = '\0';
    do
        *--p = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    return p;
}

void souk_http__conn_reply(struct souk_http__conn *c, int status,
                           const struct souk_http__header *headers, size_t nheaders, char *body,
                           size_t body_len)
{
    char digits[24];
    if (write_head(c, status, headers, nheaders, "Content-Length",
                   decimal(body_len, digits, sizeof digits)) != SOUK_OK)
        abort(); /* the server's fields are bounded far below the head's cap */
    if (c->head_only) {
        souk_free(body);
        body = NULL;
        body_len = 0;
    }
    c->body_out = body;
    c->body_out_len = body_len;
    c->state = WRITING;
}

void souk_http__conn_reply_stream(struct souk_http__conn *c, int status,
                                  const struct souk_http__header *headers, size_t nheaders,
                                  const struct souk_http__source *source)
{
    c->chunk_framing = c->head.minor == 1;
    if (!c->chunk_framing) /* HTTP/1.0: the body ends where the connection does */
        c->closing = true;
    if (write_head(c, status, headers, nheaders, c->chunk_framing ? "Transfer-Encoding" : NULL,
                   "chunked") != SOUK_OK)
        abort(); /* as in souk_http__conn_reply */
    c->source = *source;
    c->stream_ended = c->head_only;
    c->state = WRITING;
}

/* Sends what is pending; true when it all went, false when the socket is full or failed. */
static bool send_pending(struct souk_http__conn *c, bool *failed)
{
    while (c->out_sent < c->out.len || c->body_out_sent < c->body_out_len) {
        struct iovec iov[2] = {
            {c->out.data + c->out_sent, c->out.len - c->out_sent},
            {c->body_out + c->body_out_sent, c->body_out_len - c->body_out_sent}};
        struct msghdr msg = {.msg_iov = iov[0].iov_len ? iov : iov + 1,
                             .msg_iovlen = iov[0].iov_len ? 2 : 1};
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *failed = errno != EAGAIN;
            c->writable = false;
            return false;
        }
        size_t sent = (size_t)n, head = c->out.len - c->out_sent;
        c->out_sent += sent < head ? sent : head;
        c->body_out_sent += sent < head ? 0 : sent - head;
        c->active_us = souk_time_monotonic_us();
    }
    return true;
}

/*
 * Queues the stream's next piece: its chunk framing in out (the CRLF that closes the previous
 * chunk, then the size line), its bytes as the body to send. After the last piece it queues
 * the last chunk. False when the stream failed.
 */
static bool next_piece(struct souk_http__conn *c)
{
    souk_buf_reset(&c->out);
    c->out_sent = 0;
    c->body_out = NULL; /* the source owns its pieces */
    c->body_out_len = c->body_out_sent = 0;
    struct souk_str piece = {"", 0};
    if (c->source_done) {
        c->stream_ended = true;
        if (c->chunk_framing)
            return souk_buf_addstr(&c->out, c->piece_open ? "\r\n0\r\n\r\n" : "0\r\n\r\n") ==
                   SOUK_OK;
        return true;
    }
    if (c->source.next(c->source.ctx, &piece, &c->source_done) != SOUK_OK)
        return false;
    if (c->chunk_framing && piece.len) {
        char size[STREAM_SIZE_LINE];
        snprintf(size, sizeof size, "%s%zx\r\n", c->piece_open ? "\r\n" : "", piece.len);
        if (souk_buf_addstr(&c->out, size) != SOUK_OK)
            return false;
        c->piece_open = true;
    }
    c->body_out = (char *)piece.ptr;
    c->body_out_len = piece.len;
    return true;
}

/* ---- the request's way through a connection ---- */

/* Moves the bytes not consumed yet to sit right after the head (or at the start). */
static void consume_input(struct souk_http__conn *c, size_t from, size_t used)
{
    memmove(c->in + from, c->in + from + used, c->in_len - from - used);
    c->in_len -= used;
}

/* Hands a head to the server (NULL with a refusal) and sets up reading its body. */
static void start_request(struct souk_http__conn *c, int refusal)
{
    struct souk_http__handler *h = &c->thread->loop->handler;
    /* Without keep-alive (HTTP/1.0, "Connection: close", or a refused head, whose framing is
     * zeroed because what follows it cannot be framed) the connection ends with the answer. */
    c->closing = !c->framing.keep_alive;
    c->req = h->start(h->ctx, c, refusal ? NULL : &c->head, refusal, &c->body_limit);
    if (refusal)
        return;
    c->head_only = strcmp(c->head.method, "HEAD") == 0;
    c->body_left = c->framing.chunked ? 0 : c->framing.content_length;
    size_t cap = c->body_limit ? c->body_limit : DISCARD_MAX;
    c->body = (struct souk_buf)SOUK_BUF_INIT(cap);
    bool has_body = c->framing.chunked || c->framing.content_length > 0;
    if (c->framing.content_length > cap)
        c->body_refusal = 413; /* refused unread; the server still checks the key first */
    if (has_body && c->framing.expect_continue && !c->body_refusal) {
        static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (send(c->fd, go_on, sizeof go_on - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof go_on - 1))
            c->closing = true; /* 25 bytes into an idle socket: only a dead peer refuses */
    }
}

/*
 * Takes body bytes from the input; true once the body is complete or refused. A route that
 * takes no body gets its bytes dropped as they come, up to DISCARD_MAX.
 */
static bool read_body(struct souk_http__conn *c)
{
    if (c->body_refusal)
        return true;
    size_t avail = c->in_len - c->head_len;
    const char *at = c->in + c->head_len;
    size_t used;
    int rc = SOUK_OK;
    if (c->framing.chunked) {
        int64_t n = souk_http__chunked_decode(&c->chunked, at, avail, &c->body);
        if (n < 0) {
            c->body_refusal = (int)-n;
            return true;
        }
        used = (size_t)n;
    } else {
        used = avail < c->body_left ? avail : (size_t)c->body_left;
        rc = souk_buf_add(&c->body, at, used);
        c->body_left -= used;
    }
    consume_input(c, c->head_len, used);
    if (rc != SOUK_OK) {
        c->body_refusal = 413;
        return true;
    }
    if (!c->body_limit) {
        c->dropped += c->body.len;
        souk_buf_reset(&c->body);
        if (c->dropped > DISCARD_MAX) {
            c->body_refusal = 413;
            return true;
        }
    }
    return c->framing.chunked ? c->chunked.done : c->body_left == 0;
}

/* Parses and reads what the input holds; may hand a complete request to the server. */
static void take_input(struct souk_http__conn *c)
{
    if (!c->req) {
        int n = souk_http__head_parse(c->in, c->in_len, &c->head);
        if (n == 0)
            return;
        if (n > 0) {
            c->head_len = (size_t)n;
            n = souk_http__head_framing(&c->head, &c->framing);
        }
        if (n < 0) /* a refused head: no body is framed, and the connection will close */
            c->framing = (struct souk_http__framing){0};
        start_request(c, n < 0 ? -n : 0);
    }
    if (!read_body(c))
        return;
    if (c->body_refusal)
        c->closing = true; /* the rest of the body may still be on its way */
    c->state = RUNNING;
    /* A route that takes no body does not hear about one it was sent, too large or not. */
    c->thread->loop->handler.run(c->req, &c->body, c->body_limit ? c->body_refusal : 0);
}

/* The answer is out: the request is over; the connection closes or waits for the next. */
static void finish_request(struct souk_http__conn *c)
{
    c->thread->loop->handler.finish(c->req, true);
    consume_input(c, 0, c->head_len); /* what follows is the next request, if any */
    conn_reset_request(c);
    if (c->closing)
        conn_linger(c);
}

/* Does everything the connection can do now, until it waits for the client or the server. */
static void drive(struct souk_http__conn *c)
{
    bool closed = false, failed = false;
    for (;;) {
        switch (c->state) {
        case READING:
            take_input(c);
            if (c->state == READING && !conn_read(c, &closed)) {
                if (closed)
                    conn_close(c);
                return;
            }
            break;
        case RUNNING:
            return;
        case WRITING:
            if (!send_pending(c, &failed)) {
                if (failed)
                    conn_close(c);
                return;
            }
            if (c->source.next && !c->stream_ended) {
                if (!next_piece(c)) {
                    conn_close(c); /* the client sees a body cut short */
                    return;
                }
                break;
            }
            finish_request(c);
            break;
        case LINGERING: {
            /* A bounded gulp: a client that keeps sending brings another event, and the
             * sweep ends the linger after LINGER_US anyway. */
            char drop[4096];
            ssize_t n = 0;
            for (int i = 0; i < 16 && (n = recv(c->fd, drop, sizeof drop, 0)) > 0; i++)
                ;
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                conn_close(c);
            else if (n < 0)
                c->readable = false;
            return;
        }
        }
    }
}

/* ---- threads ---- */

void souk_http__conn_wake(struct souk_http__conn *c)
{
    struct loop_thread *t = c->thread;
    pthread_mutex_lock(&t->lock);
    bool first = t->woken == NULL;
    c->next_woken = t->woken;
    t->woken = c;
    pthread_mutex_unlock(&t->lock);
    if (first) { /* one write wakes the loop for the whole batch */
        uint64_t one = 1;
        while (write(t->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
}

/* Answers the requests the intake writer has finished with. */
static void resume_woken(struct loop_thread *t)
{
    pthread_mutex_lock(&t->lock);
    struct souk_http__conn *c = t->woken;
    t->woken = NULL;
    pthread_mutex_unlock(&t->lock);
    while (c) {
        struct souk_http__conn *next = c->next_woken;
        t->loop->handler.resume(c->req);
        drive(c);
        c = next;
    }
}

static void accept_connections(struct loop_thread *t)
{
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of descriptors: the pending connection would wake the loop again and
                 * again, so stop listening until the next sweep, within a second. */
                souk_log(SOUK_LOG_WARN, "out of file descriptors: refusing connections", NULL);
                epoll_ctl(t->epfd, EPOLL_CTL_DEL, t->listen_fd, NULL);
            }
            return;
        }
        if (__atomic_add_fetch(&t->loop->connections, 1, __ATOMIC_RELAXED) > MAX_CONNECTIONS) {
            __atomic_fetch_sub(&t->loop->connections, 1, __ATOMIC_RELAXED);
            close(fd);
            continue;
        }
        conn_open(t, fd);
    }
}

static void listen_again(struct loop_thread *t)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (t->listen_fd >= 0)
        epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->listen_fd, &ev); /* EEXIST when it never left */
}

/* Closes connections that made no progress for too long, except those the server holds. */
static void sweep(struct loop_thread *t, int64_t now)
{
    struct souk_http__conn *c = t->conns;
    while (c) {
        struct souk_http__conn *next = c->next;
        int64_t limit = c->state == LINGERING ? LINGER_US : IDLE_TIMEOUT_US;
        if (c->state != RUNNING && now - c->active_us > limit)
            conn_close(c);
        c = next;
    }
    listen_again(t);
    t->swept_us = now;
}

static void stop_listening(struct loop_thread *t)
{
    if (t->listen_fd < 0)
        return;
    epoll_ctl(t->epfd, EPOLL_CTL_DEL, t->listen_fd, NULL);
    close(t->listen_fd);
    t->listen_fd = -1;
}

static void *thread_main(void *arg)
{
    struct loop_thread *t = arg;
    pthread_setname_np(pthread_self(), "souk-http"); /* for top -H and perf */
    struct epoll_event events[EVENTS_PER_WAIT];
    while (!__atomic_load_n(&t->loop->stopping, __ATOMIC_ACQUIRE)) {
        int n = epoll_wait(t->epfd, events, EVENTS_PER_WAIT, 1000);
        if (!__atomic_load_n(&t->loop->accepting, __ATOMIC_ACQUIRE))
            stop_listening(t);
        for (int i = 0; i < n; i++) {
            struct souk_http__conn *c = events[i].data.ptr;
            if (!c) {
                if (t->listen_fd >= 0)
                    accept_connections(t);
                continue;
            }
            if (c == (struct souk_http__conn *)t) { /* the wake-up eventfd */
                uint64_t count;
                while (read(t->wake_fd, &count, sizeof count) < 0 && errno == EINTR)
                    ;
                continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                c->readable = true;
            if (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                c->writable = true;
            if (c->state == RUNNING || (c->state == WRITING && !c->writable))
                continue; /* the flags are read when the connection moves again */
            drive(c);
        }
        resume_woken(t);
        int64_t now = souk_time_monotonic_us();
        if (now - t->swept_us >= 1000000)
            sweep(t, now);
    }
    resume_woken(t); /* answers the writer gave while the loop was stopping, if they fit */
    return NULL;
}

static int open_listener(const struct sockaddr *addr, socklen_t addr_len, bool share, int *fd_out)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (share && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, addr, addr_len) != 0 || (share && listen(fd, 1024) != 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *fd_out = fd;
    return 0;
}

/*
 * Claims the address for this server alone, as a plain bind would, and resolves port 0: the
 * threads' sockets share their port with SO_REUSEPORT, which would also let a second server
 * started on the same port by the same user split the traffic silently. So a socket without
 * it binds first (failing while anyone listens there), and is closed just before the shared
 * ones bind.
 */
static int claim_address(struct sockaddr_storage *addr, socklen_t addr_len)
{
    int fd;
    if (open_listener((struct sockaddr *)addr, addr_len, false, &fd) != 0)
        return -1;
    socklen_t len = addr_len;
    int rc = getsockname(fd, (struct sockaddr *)addr, &len);
    close(fd);
    return rc;
}

static int thread_open(struct loop_thread *t, const struct sockaddr *addr, socklen_t addr_len)
{
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (t->epfd < 0 || t->wake_fd < 0 || open_listener(addr, addr_len, true, &t->listen_fd) != 0)
        return -1;
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = t};
    struct epoll_event listen_ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->wake_fd, &wake) != 0 ||
        epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->listen_fd, &listen_ev) != 0)
        return -1;
    return 0;
}

int souk_http__loop_start(const struct sockaddr *addr, socklen_t addr_len, int threads,
                          const struct souk_http__handler *handler, struct souk_http__loop **out,
                          uint16_t *port, struct souk_err *err)
{
    struct souk_http__loop *loop = souk_calloc(1, sizeof *loop);
    loop->handler = *handler;
    loop->nthreads = threads > 0 ? threads : 1;
    loop->threads = souk_calloc((size_t)loop->nthreads, sizeof *loop->threads);
    loop->accepting = 1;
    for (int i = 0; i < loop->nthreads; i++) {
        struct loop_thread *t = &loop->threads[i];
        t->loop = loop;
        t->epfd = t->listen_fd = t->wake_fd = -1;
        t->date_second = -1;
        pthread_mutex_init(&t->lock, NULL);
    }
    struct sockaddr_storage bound;
    memcpy(&bound, addr, addr_len);
    bool claimed = claim_address(&bound, addr_len) == 0;
    for (int i = 0; claimed && i < loop->nthreads; i++)
        claimed = thread_open(&loop->threads[i], (struct sockaddr *)&bound, addr_len) == 0;
    if (!claimed) {
        int saved = errno;
        souk_http__loop_free(loop);
        return souk_err_set(err, SOUK_EIO, "listen", "%s", strerror(saved));
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                              : ((struct sockaddr_in *)&bound)->sin_port);
    for (int i = 0; i < loop->nthreads; i++) {
        struct loop_thread *t = &loop->threads[i];
        if (pthread_create(&t->thread, NULL, thread_main, t) != 0) {
            souk_http__loop_free(loop);
            return souk_err_set(err, SOUK_EIO, NULL, "cannot start the HTTP threads");
        }
        t->started = true;
    }
    *out = loop;
    return SOUK_OK;
}

void souk_http__loop_quiesce(struct souk_http__loop *loop)
{
    __atomic_store_n(&loop->accepting, 0, __ATOMIC_RELEASE);
    for (int i = 0; i < loop->nthreads; i++) {
        uint64_t one = 1;
        if (loop->threads[i].wake_fd >= 0)
            while (write(loop->threads[i].wake_fd, &one, sizeof one) < 0 && errno == EINTR)
                ;
    }
}

uint64_t souk_http__loop_connections(struct souk_http__loop *loop)
{
    return __atomic_load_n(&loop->connections, __ATOMIC_RELAXED);
}

void souk_http__loop_free(struct souk_http__loop *loop)
{
    if (!loop)
        return;
    __atomic_store_n(&loop->stopping, 1, __ATOMIC_RELEASE);
    souk_http__loop_quiesce(loop);
    for (int i = 0; i < loop->nthreads; i++)
        if (loop->threads[i].started)
            pthread_join(loop->threads[i].thread, NULL);
    for (int i = 0; i < loop->nthreads; i++) {
        struct loop_thread *t = &loop->threads[i];
        while (t->conns)
            conn_close(t->conns); /* finishes the requests still on them */
        stop_listening(t);
        if (t->wake_fd >= 0)
            close(t->wake_fd);
        if (t->epfd >= 0)
            close(t->epfd);
        pthread_mutex_destroy(&t->lock);
    }
    souk_free(loop->threads);
    souk_free(loop);
}
