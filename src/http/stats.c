/* stats: per-route request counters and latency histograms, rendered for Prometheus. */
#include "http/http_int.h"

/* Upper bounds of the latency buckets, in microseconds; the last bucket is +Inf. */
static const int64_t bucket_le_us[SOUK_HTTP__BUCKETS - 1] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000};

void souk_http__stats_record(struct souk_http__route_stats *stats, int status, int64_t dur_us)
{
    int cls = status / 100;
    if (cls < 1 || cls > 5)
        cls = 5;
    __atomic_fetch_add(&stats->by_class[cls], 1, __ATOMIC_RELAXED);
    int b = 0;
    while (b < SOUK_HTTP__BUCKETS - 1 && dur_us > bucket_le_us[b])
        b++;
    __atomic_fetch_add(&stats->latency[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&stats->latency_sum_us, (uint64_t)(dur_us > 0 ? dur_us : 0),
                       __ATOMIC_RELAXED);
}

/* stats has nroutes + 1 entries; the last counts requests that matched no route. */
int souk_http__stats_render(const struct souk_http_route *routes, size_t nroutes,
                            const struct souk_http__route_stats *stats, struct souk_buf *out)
{
    int rc = souk_buf_addstr(out, "# HELP souk_http_requests_total HTTP requests by route and "
                                  "status class.\n# TYPE souk_http_requests_total counter\n");
    for (size_t i = 0; i <= nroutes && rc == SOUK_OK; i++) {
        const char *method = i < nroutes ? souk_http__method_name(routes[i].method) : "ANY";
        const char *pattern = i < nroutes ? routes[i].pattern : "unmatched";
        for (int cls = 1; cls <= 5 && rc == SOUK_OK; cls++) {
            uint64_t n = __atomic_load_n(&stats[i].by_class[cls], __ATOMIC_RELAXED);
            if (n)
                rc = souk_buf_addf(out,
                                   "souk_http_requests_total{method=\"%s\",route=\"%s\","
                                   "status=\"%dxx\"} %llu\n",
                                   method, pattern, cls, (unsigned long long)n);
        }
    }
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, "# HELP souk_http_request_duration_seconds Time from request "
                                  "to response.\n# TYPE souk_http_request_duration_seconds "
                                  "histogram\n");
    for (size_t i = 0; i <= nroutes && rc == SOUK_OK; i++) {
        const char *method = i < nroutes ? souk_http__method_name(routes[i].method) : "ANY";
        const char *pattern = i < nroutes ? routes[i].pattern : "unmatched";
        uint64_t cumulative = 0;
        for (int b = 0; b < SOUK_HTTP__BUCKETS; b++)
            cumulative += __atomic_load_n(&stats[i].latency[b], __ATOMIC_RELAXED);
        if (cumulative == 0)
            continue;
        cumulative = 0;
        for (int b = 0; b < SOUK_HTTP__BUCKETS && rc == SOUK_OK; b++) {
            cumulative += __atomic_load_n(&stats[i].latency[b], __ATOMIC_RELAXED);
            char le[32] = "+Inf";
            if (b < SOUK_HTTP__BUCKETS - 1)
                snprintf(le, sizeof le, "%g", (double)bucket_le_us[b] / 1e6);
            rc = souk_buf_addf(out,
                               "souk_http_request_duration_seconds_bucket{method=\"%s\","
                               "route=\"%s\",le=\"%s\"} %llu\n",
                               method, pattern, le, (unsigned long long)cumulative);
        }
        if (rc == SOUK_OK)
            rc = souk_buf_addf(
                out,
                "souk_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                "souk_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                method, pattern,
                (double)__atomic_load_n(&stats[i].latency_sum_us, __ATOMIC_RELAXED) / 1e6,
                method, pattern, (unsigned long long)cumulative);
    }
    return rc;
}
