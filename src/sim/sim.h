/*
 * sim: the platform simulator behind `souk sim`.
 *
 * A loopback HTTP server that stands in for the platforms' catalog and stock APIs (Meta
 * items_batch, TikTok Shop products, Pinterest catalog batches, Google Merchant API product
 * inputs). It serves each platform's real paths, checks each platform's credentials and request
 * shapes, answers in each platform's success and error shapes, rate-limits per platform (429 with
 * Retry-After) and injects faults on request (5xx, slow replies, dropped connections, bodies
 * that are not JSON). It keeps what it accepted so tests can read it back through the control
 * endpoints under /_sim/. Tests place orders "on a platform" there too: the sim serves them on
 * the platform's order API, sends the platform's signed webhooks to a registered URL, and
 * records what souk sends back. The contract, path by path, is docs/internals/sim.md.
 *
 * souk never knows it is talking to the simulator: a connector pointed at
 * http://127.0.0.1:PORT instead of a platform's base URL sees the same paths and shapes.
 * Depends on core/, sig/, libmicrohttpd, jansson, libcurl and libcrypto; never on the store,
 * http/ or channels/.
 */
#ifndef SOUK_SIM_SIM_H
#define SOUK_SIM_SIM_H

#include <stdint.h>

#include "core/err.h"

struct souk_sim;

struct souk_sim_config {
    const char *listen;      /* "127.0.0.1:8090" or "[::1]:8090"; port 0 picks a free one */
    const char *config_path; /* JSON credentials and rate limits; NULL uses the defaults */
};

/*
 * Reads the config file, binds and starts serving on threads of its own. A bad address, a port
 * in use or a config file that cannot be read or is not the documented shape is reported
 * through err (SOUK_EINVAL names the offending key in err->param; SOUK_EIO for I/O).
 */
int souk_sim_start(const struct souk_sim_config *config, struct souk_sim **out,
                   struct souk_err *err) SOUK_MUST_CHECK;

/* The bound port (useful with port 0). */
uint16_t souk_sim_port(const struct souk_sim *sim);

/* Stops serving (replies being delayed by a "slow" fault finish first) and frees the sim.
 * NULL is fine. */
void souk_sim_stop(struct souk_sim *sim);

#endif
