/* mediaqc worker --amqp URL: QC jobs (S3 event JSON) from a RabbitMQ queue.
 *
 * The consuming channel is transactional (tx.select): a delivery's result
 * messages, its retry or dead-letter copy and its ack are committed together,
 * after its reports are stored. A worker that dies (or loses the broker)
 * before the commit has published nothing and acked nothing: the broker
 * redelivers and the job is idempotent by bucket/key/eTag (a stored report
 * of the same object version is reused). After the commit nothing is
 * redelivered. So a result is published once, whatever fails when.
 *
 * Every broker call has a deadline (--broker-timeout): librabbitmq's RPC and
 * handshake timeouts, and a watchdog (SIGALRM) that shuts the socket down
 * when a send or a frame read overruns it (librabbitmq polls with no timeout
 * there). On a broker failure the worker exits 3 at once, unacked work goes
 * back to the queue; a supervisor restarts it (docs/triggers.md). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <cjson/cJSON.h>
#include "../engine/remote_io.h"
#include "qc_job.h"
#include "../engine/args.h"

#define HEADER_ATTEMPTS "x-mediaqc-attempts"
#define HEADER_ERROR "x-mediaqc-error"
#define BROKER_TIMEOUT_S 30

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct Broker {
    amqp_connection_state_t conn;
    int timeout_s;              /* deadline of every broker call */
    char shown[512];            /* amqp://user@host:port/vhost, no password */
} Broker;

/* The watchdog: armed around broker calls only (never during a QC job). */
static volatile sig_atomic_t watchdog_fd = -1, watchdog_fired;

static void on_watchdog(int sig)
{
    (void)sig;
    if (watchdog_fd >= 0) {   /* async-signal-safe; poll() and send() fail at once */
        shutdown(watchdog_fd, SHUT_RDWR);
        watchdog_fired = 1;
    }
}

static void watchdog_arm(const Broker *b)
{
    watchdog_fired = 0;
    watchdog_fd = amqp_get_sockfd(b->conn);
    alarm((unsigned)b->timeout_s);
}

static void watchdog_disarm(void)
{
    alarm(0);
    watchdog_fd = -1;
}

/* The cause of a failed call, for a person. */
static const char *broker_cause(const Broker *b, int status, char *buf, size_t len)
{
    if (watchdog_fired || status == AMQP_STATUS_TIMEOUT)
        snprintf(buf, len, "no answer within %d s (broker frozen or unreachable)", b->timeout_s);
    else
        snprintf(buf, len, "%s", amqp_error_string2(status));
    return buf;
}

typedef struct WorkerOptions {
    const char *queue, *dead_letter, *results;
    int prefetch, max_retries;
} WorkerOptions;

static int reply_error(amqp_rpc_reply_t r, const char *what, const Broker *b, MqcMsg *msg)
{
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
        return 0;
    char cause[300] = "unknown error";
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
        broker_cause(b, r.library_error, cause, sizeof(cause));
    } else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const amqp_connection_close_t *c = r.reply.decoded;
        snprintf(cause, sizeof(cause), "broker closed the connection: %u %.*s", c->reply_code,
                 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
    } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const amqp_channel_close_t *c = r.reply.decoded;
        snprintf(cause, sizeof(cause), "broker closed the channel: %u %.*s", c->reply_code,
                 (int)c->reply_text.len, (const char *)c->reply_text.bytes);
    }
    mqc_msg(msg, "%s: %s: %s", b->shown, what, cause);
    return -1;
}

static int broker_connect(Broker *b, const struct amqp_connection_info *ci, MqcMsg *msg)
{
    snprintf(b->shown, sizeof(b->shown), "amqp%s://%s@%s:%d/%s", ci->ssl ? "s" : "", ci->user,
             ci->host, ci->port, ci->vhost);
    if (ci->ssl) {
        mqc_msg(msg, "%s: amqps:// is not supported by this build", b->shown);
        return -1;
    }
    b->conn = amqp_new_connection();
    amqp_socket_t *sock = b->conn ? amqp_tcp_socket_new(b->conn) : NULL;
    struct timeval tv = { b->timeout_s, 0 };
    int st = sock ? amqp_socket_open_noblock(sock, ci->host, ci->port, &tv) : AMQP_STATUS_NO_MEMORY;
    if (st != AMQP_STATUS_OK) {
        char cause[160];
        mqc_msg(msg, "%s: cannot connect: %s", b->shown, broker_cause(b, st, cause, sizeof(cause)));
        return -1;
    }
    amqp_set_handshake_timeout(b->conn, &tv);
    amqp_set_rpc_timeout(b->conn, &tv);
    /* no heartbeats: librabbitmq answers them only inside its own calls, and a
     * QC job keeps the worker away from the socket for minutes */
    watchdog_arm(b);
    int ret = reply_error(amqp_login(b->conn, ci->vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                     ci->user, ci->password), "login", b, msg);
    if (ret == 0) {
        amqp_channel_open(b->conn, 1);
        ret = reply_error(amqp_get_rpc_reply(b->conn), "opening a channel", b, msg);
    }
    if (ret == 0) {   /* results, retries and the ack of a delivery commit together */
        amqp_tx_select(b->conn, 1);
        ret = reply_error(amqp_get_rpc_reply(b->conn), "starting a transaction", b, msg);
    }
    watchdog_disarm();
    return ret;
}

/* failed: the connection may be dead or its broker frozen, so no goodbyes */
static void broker_close(Broker *b, int failed)
{
    if (!b->conn)
        return;
    if (!failed) {
        watchdog_arm(b);
        amqp_channel_close(b->conn, 1, AMQP_REPLY_SUCCESS);
        amqp_connection_close(b->conn, AMQP_REPLY_SUCCESS);
        watchdog_disarm();
    }
    amqp_destroy_connection(b->conn);
    b->conn = NULL;
}

/* Queues and exchange the worker uses, created when missing (durable). */
static int declare(Broker *b, const WorkerOptions *o, MqcMsg *msg)
{
    amqp_queue_declare(b->conn, 1, amqp_cstring_bytes(o->queue), 0, 1, 0, 0, amqp_empty_table);
    if (reply_error(amqp_get_rpc_reply(b->conn), "declaring the job queue", b, msg) < 0)
        return -1;
    amqp_queue_declare(b->conn, 1, amqp_cstring_bytes(o->dead_letter), 0, 1, 0, 0,
                       amqp_empty_table);
    if (reply_error(amqp_get_rpc_reply(b->conn), "declaring the dead-letter queue", b, msg) < 0)
        return -1;
    if (*o->results) {
        amqp_exchange_declare(b->conn, 1, amqp_cstring_bytes(o->results),
                              amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
        if (reply_error(amqp_get_rpc_reply(b->conn), "declaring the results exchange", b,
                        msg) < 0)
            return -1;
    }
    return 0;
}

/* Publishes persistently inside the channel's transaction: the broker
 * routes it only when handle() commits. */
static int publish(Broker *b, const char *exchange, const char *routing_key, int attempts,
                   const char *error, const void *body, size_t len, MqcMsg *msg)
{
    amqp_table_entry_t h[2];
    int nh = 0;
    if (attempts >= 0) {
        h[nh].key = amqp_cstring_bytes(HEADER_ATTEMPTS);
        h[nh].value.kind = AMQP_FIELD_KIND_I32;
        h[nh++].value.value.i32 = attempts;
    }
    if (error) {
        h[nh].key = amqp_cstring_bytes(HEADER_ERROR);
        h[nh].value.kind = AMQP_FIELD_KIND_UTF8;
        h[nh++].value.value.bytes = amqp_cstring_bytes(error);
    }
    amqp_basic_properties_t props = {
        ._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                  AMQP_BASIC_HEADERS_FLAG,
        .content_type = amqp_cstring_bytes("application/json"),
        .delivery_mode = 2,   /* persistent */
        .headers = { nh, h },
    };
    amqp_bytes_t bytes = { len, (void *)body };
    int st = amqp_basic_publish(b->conn, 1, amqp_cstring_bytes(exchange),
                                amqp_cstring_bytes(routing_key), 0, 0, &props, bytes);
    if (st != AMQP_STATUS_OK) {
        char cause[160];
        mqc_msg(msg, "%s: publish to %s: %s", b->shown, *exchange ? exchange : routing_key,
                broker_cause(b, st, cause, sizeof(cause)));
        return -1;
    }
    return 0;
}

static int header_int(const amqp_basic_properties_t *p, const char *key)
{
    if (!(p->_flags & AMQP_BASIC_HEADERS_FLAG))
        return 0;
    for (int i = 0; i < p->headers.num_entries; i++) {
        const amqp_table_entry_t *e = &p->headers.entries[i];
        if (e->key.len != strlen(key) || memcmp(e->key.bytes, key, e->key.len))
            continue;
        switch (e->value.kind) {
        case AMQP_FIELD_KIND_I8: return e->value.value.i8;
        case AMQP_FIELD_KIND_U8: return e->value.value.u8;
        case AMQP_FIELD_KIND_I16: return e->value.value.i16;
        case AMQP_FIELD_KIND_U16: return e->value.value.u16;
        case AMQP_FIELD_KIND_I32: return e->value.value.i32;
        case AMQP_FIELD_KIND_I64: return (int)e->value.value.i64;
        default: return 0;
        }
    }
    return 0;
}

/* Runs the records of one message. Returns 0 when done (any verdict),
 * 1 when a job may succeed on a retry, 2 when the message can never
 * succeed (malformed); err says why. Results of finished jobs go to
 * `results` (collected, published by the caller). */
static int run_message(const QcConfig *cfg, const char *body, size_t len, const char *origin,
                       cJSON *results, char *err, size_t err_len)
{
    QcRecord *recs;
    int n, status = 0;
    MqcMsg msg;
    if (qc_event_parse(body, len, origin, cfg->report_prefix, &recs, &n, &msg) < 0) {
        snprintf(err, err_len, "%s", msg.text);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        if (recs[i].kind == QC_RECORD_SKIP) {
            if (!cfg->quiet)
                mqc_log("%s: skipped: %s", origin, recs[i].why);
        } else if (recs[i].kind == QC_RECORD_INVALID) {
            snprintf(err, err_len, "%s: %s", origin, recs[i].why);
            status = 2;
        }
    }
    int left = 0;   /* records not started because of SIGTERM */
    for (int i = 0; i < n && status < 2; i++) {
        if (recs[i].kind != QC_RECORD_JOB)
            continue;
        if (stop_requested) {
            left++;
            continue;
        }
        QcOutcome out;
        qc_job_run(cfg, &recs[i].obj, &out);
        qc_outcome_print(&recs[i].obj, &out);
        if (!out.pending)   /* a segment job publishes only the merged file's result */
            cJSON_AddItemToArray(results, qc_outcome_json(&recs[i].obj, &out));
        if (out.exit_code >= MQC_EXIT_USAGE) {
            snprintf(err, err_len, "%s", out.message);
            status = 1;
        }
    }
    if (left && status == 0)
        status = -1;   /* stopped between records: requeue; done ones will be reused */
    qc_records_free(recs, n);
    return status;
}

static int publish_results(Broker *b, const WorkerOptions *o, const cJSON *results, int attempt,
                           MqcMsg *msg)
{
    if (!*o->results)
        return 0;
    for (const cJSON *r = results->child; r; r = r->next) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "verdict");
        char key[32], *text = cJSON_PrintUnformatted(r);
        snprintf(key, sizeof(key), "qc.%s", cJSON_IsString(v) ? v->valuestring : "error");
        int ret = text ? publish(b, o->results, key, attempt, NULL, text, strlen(text), msg) : -1;
        free(text);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Acks (or gives back) a delivery and commits what was published for it. */
static int settle(Broker *b, uint64_t tag, int give_back, MqcMsg *msg)
{
    int st = give_back ? amqp_basic_reject(b->conn, 1, tag, 1) : amqp_basic_ack(b->conn, 1, tag, 0);
    if (st != AMQP_STATUS_OK) {
        char cause[160];
        mqc_msg(msg, "%s: %s: %s", b->shown, give_back ? "reject" : "ack",
                broker_cause(b, st, cause, sizeof(cause)));
        return -1;
    }
    amqp_tx_commit(b->conn, 1);
    return reply_error(amqp_get_rpc_reply(b->conn), "committing the results and the ack", b, msg);
}

/* One delivery: QC, then retry / dead-letter / results and the ack, committed
 * together. */
static int handle(Broker *b, const WorkerOptions *o, const QcConfig *cfg,
                  const amqp_envelope_t *env, MqcMsg *msg)
{
    const amqp_message_t *m = &env->message;
    int attempts = header_int(&m->properties, HEADER_ATTEMPTS);
    char origin[96], err[1024] = "";
    snprintf(origin, sizeof(origin), "%s message %llu", o->queue,
             (unsigned long long)env->delivery_tag);
    cJSON *results = cJSON_CreateArray();
    int status;
    char *body = NULL;
    if (m->body.len > QC_MAX_EVENT_BYTES) {
        snprintf(err, sizeof(err), "%s: body larger than %d bytes", origin, QC_MAX_EVENT_BYTES);
        status = 2;
    } else if (!(body = malloc(m->body.len + 1))) {
        status = 1;
        snprintf(err, sizeof(err), "out of memory");
    } else {
        memcpy(body, m->body.bytes, m->body.len);
        body[m->body.len] = 0;
        status = run_message(cfg, body, m->body.len, origin, results, err, sizeof(err));
    }
    free(body);
    int ret = 0;
    watchdog_arm(b);
    if (status < 0) {   /* SIGTERM between records: give it back untouched */
        ret = settle(b, env->delivery_tag, 1, msg);
    } else if (status == 1 && attempts < o->max_retries) {
        mqc_log("%s: attempt %d of %d failed, retrying: %s", origin, attempts + 1,
                o->max_retries + 1, err);
        ret = publish(b, "", o->queue, attempts + 1, err, m->body.bytes, m->body.len, msg);
    } else {
        if (status) {
            mqc_log("%s: dead-lettered to %s after %d attempt%s: %s", origin, o->dead_letter,
                    attempts + 1, attempts ? "s" : "", err);
            ret = publish(b, "", o->dead_letter, attempts + 1, err, m->body.bytes,
                          m->body.len, msg);
        }
        if (ret == 0)
            ret = publish_results(b, o, results, attempts + 1, msg);
    }
    /* nothing committed on failure: the broker drops the publishes and
     * redelivers the job */
    if (ret == 0 && status >= 0)
        ret = settle(b, env->delivery_tag, 0, msg);
    watchdog_disarm();
    cJSON_Delete(results);
    return ret;
}

/* Where the broker is, for worker and submit: --amqp, --queue, --broker-timeout. */
typedef struct BrokerSetup {
    const char *url, *queue;
    int timeout_s;
    char dead_letter[300];      /* QUEUE.dead */
    char *url_copy;             /* parsed into ci (amqp_parse_url writes into it) */
    struct amqp_connection_info ci;
} BrokerSetup;

/* 1: one of its options, taken; 0: not one; < 0: a bad value (printed). */
static int broker_option(BrokerSetup *s, int c, const char *arg)
{
    switch (c) {
    case 'a': s->url = arg; return 1;
    case 'Q': s->queue = arg; return 1;
    case 'T':
        if (mqc_parse_int(arg, 1, 3600, &s->timeout_s) >= 0)
            return 1;
        qc_usage_error("--broker-timeout: expected seconds in [1, 3600], got \"%s\"", arg);
        return -1;
    default: return 0;
    }
}

/* After the options: the URL parsed, the queue checked. MQC_EXIT_USAGE (printed). */
static int broker_setup(BrokerSetup *s, const char *cmd)
{
    if (!s->url)
        return qc_usage_error("%s needs --amqp URL (or $MEDIAQC_AMQP_URL)", cmd);
    if (!*s->queue || strlen(s->queue) > 200)
        return qc_usage_error("--queue: expected a name of 1 to 200 bytes%s", "");
    snprintf(s->dead_letter, sizeof(s->dead_letter), "%s.dead", s->queue);
    s->url_copy = strdup(s->url);
    if (!s->url_copy || amqp_parse_url(s->url_copy, &s->ci) != AMQP_STATUS_OK) {
        free(s->url_copy);
        s->url_copy = NULL;
        /* the URL may hold a password: never echo it */
        return qc_usage_error("--amqp: expected amqp://USER:PASS@HOST:PORT/VHOST%s", "");
    }
    return 0;
}

int cmd_worker(int argc, char **argv)
{
    static const struct option longopts[] = {
        QC_COMMON_LONGOPTS,
        { "amqp", required_argument, NULL, 'a' },
        { "queue", required_argument, NULL, 'Q' },
        { "dead-letter-queue", required_argument, NULL, 'D' },
        { "results-exchange", required_argument, NULL, 'X' },
        { "prefetch", required_argument, NULL, 'P' },
        { "max-retries", required_argument, NULL, 'M' },
        { "broker-timeout", required_argument, NULL, 'T' },
        { "root", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    QcSetup setup = { 0 };
    WorkerOptions o = { .queue = "mediaqc.jobs", .results = "mediaqc.results", .prefetch = 1,
                        .max_retries = 3 };
    BrokerSetup bs = { .url = getenv("MEDIAQC_AMQP_URL"), .queue = o.queue,
                       .timeout_s = BROKER_TIMEOUT_S };
    const char *root = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int used = qc_setup_option(&setup, c, optarg);
        if (!used)
            used = broker_option(&bs, c, optarg);
        if (used < 0)
            return MQC_EXIT_USAGE;
        if (used)
            continue;
        switch (c) {
        case 'D': o.dead_letter = optarg; break;
        case 'X': o.results = optarg; break;
        case 'r': root = optarg; break;
        case 'P':
            if (mqc_parse_int(optarg, 1, 65535, &o.prefetch) < 0)
                return qc_usage_error("--prefetch: expected an integer in [1, 65535], got \"%s\"",
                                      optarg);
            break;
        case 'M':
            if (mqc_parse_int(optarg, 0, 100, &o.max_retries) < 0)
                return qc_usage_error("--max-retries: expected an integer in [0, 100], got \"%s\"",
                                      optarg);
            break;
        case 'h':
            printf("usage: mediaqc worker --amqp amqp://USER:PASS@HOST:PORT/VHOST [--queue Q]\n"
                   "         [--dead-letter-queue Q] [--results-exchange X] [--prefetch N]\n"
                   "         [--max-retries N] [--broker-timeout S] [--root DIR] [--rules FILE]\n"
                   "         [--profile NAME|PATH] [--report-prefix P/] [--threads N] [--quiet]\n");
            return MQC_EXIT_PASS;
        case ':': return qc_usage_error("%s: missing value", argv[optind - 1]);
        default: return qc_usage_error("worker: unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return qc_usage_error("worker: unexpected argument \"%s\"", argv[optind]);
    if (broker_setup(&bs, "worker"))
        return MQC_EXIT_USAGE;
    o.queue = bs.queue;
    if (!o.dead_letter)
        o.dead_letter = bs.dead_letter;
    int timeout_s = bs.timeout_s;
    char *url_copy = bs.url_copy;
    struct amqp_connection_info ci = bs.ci;
    QcConfig cfg;
    if (qc_setup_config(&setup, root, &cfg) < 0) {
        free(url_copy);
        return MQC_EXIT_USAGE;
    }
    struct sigaction sa = { .sa_handler = on_stop };   /* no SA_RESTART: waits return */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct sigaction alarm_sa = { .sa_handler = on_watchdog };
    sigaction(SIGALRM, &alarm_sa, NULL);

    Broker con = { .timeout_s = timeout_s };
    MqcMsg msg;
    int code = MQC_EXIT_UNREADABLE;
    if (broker_connect(&con, &ci, &msg) < 0)
        goto done;
    watchdog_arm(&con);
    int ret = declare(&con, &o, &msg);
    if (ret == 0) {
        amqp_basic_qos(con.conn, 1, 0, (uint16_t)o.prefetch, 0);
        ret = reply_error(amqp_get_rpc_reply(con.conn), "setting the prefetch count", &con, &msg);
    }
    if (ret == 0) {
        amqp_basic_consume(con.conn, 1, amqp_cstring_bytes(o.queue), amqp_empty_bytes, 0, 0, 0,
                           amqp_empty_table);
        ret = reply_error(amqp_get_rpc_reply(con.conn), "consuming", &con, &msg);
    }
    watchdog_disarm();
    if (ret < 0)
        goto done;
    if (!setup.quiet)
        mqc_log("worker consuming %s on %s (prefetch %d, %d retries, dead letters to %s, "
                "broker timeout %d s)", o.queue, con.shown, o.prefetch, o.max_retries,
                o.dead_letter, timeout_s);
    code = MQC_EXIT_PASS;
    while (!stop_requested) {
        amqp_maybe_release_buffers(con.conn);
        amqp_envelope_t env;
        struct timeval tv = { 0, 250000 };   /* how soon SIGTERM is noticed when idle */
        watchdog_arm(&con);   /* a frame cut short by a frozen broker */
        amqp_rpc_reply_t r = amqp_consume_message(con.conn, &env, &tv, 0);
        watchdog_disarm();
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            continue;
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            if (stop_requested)
                break;
            reply_error(r, "receiving", &con, &msg);
            if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                r.library_error == AMQP_STATUS_UNEXPECTED_STATE)
                mqc_msg(&msg, "%s: the broker cancelled the consumer or closed the channel",
                        con.shown);
            code = MQC_EXIT_UNREADABLE;
            break;
        }
        ret = handle(&con, &o, &cfg, &env, &msg);
        amqp_destroy_envelope(&env);
        if (ret < 0) {
            code = MQC_EXIT_UNREADABLE;
            break;
        }
    }
done:
    if (code != MQC_EXIT_PASS)
        mqc_log("worker: %s", msg.text);
    else if (!setup.quiet)
        mqc_log("worker stopped");
    broker_close(&con, code != MQC_EXIT_PASS);
    qc_config_free(&cfg);
    free(url_copy);
    return code;
}

/* mediaqc submit s3://BUCKET/KEY --amqp URL --segments N: N segment jobs,
 * published together (one transaction), for the workers of the queue. */
int cmd_submit(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "amqp", required_argument, NULL, 'a' },
        { "queue", required_argument, NULL, 'Q' },
        { "segments", required_argument, NULL, 'n' },
        { "broker-timeout", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    WorkerOptions o = { .queue = "mediaqc.jobs", .results = "" };
    BrokerSetup bs = { .url = getenv("MEDIAQC_AMQP_URL"), .queue = o.queue,
                       .timeout_s = BROKER_TIMEOUT_S };
    int c, segments = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int used = broker_option(&bs, c, optarg);
        if (used < 0)
            return MQC_EXIT_USAGE;
        if (used)
            continue;
        switch (c) {
        case 'n':
            if (mqc_parse_int(optarg, 1, 10000, &segments) < 0)
                return qc_usage_error("--segments: expected an integer in [1, 10000], got \"%s\"",
                                      optarg);
            break;
        case 'h':
            printf("usage: mediaqc submit s3://BUCKET/KEY --amqp URL --segments N [--queue Q]\n");
            return MQC_EXIT_PASS;
        case ':': return qc_usage_error("%s: missing value", argv[optind - 1]);
        default: return qc_usage_error("submit: unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc || strncmp(argv[optind], "s3://", 5))
        return qc_usage_error("submit needs one s3://BUCKET/KEY%s", "");
    if (!segments)
        return qc_usage_error("submit needs --segments N%s", "");
    if (broker_setup(&bs, "submit"))
        return MQC_EXIT_USAGE;
    o.queue = bs.queue;
    o.dead_letter = bs.dead_letter;
    const char *input = argv[optind], *slash = strchr(input + 5, '/');
    if (!slash || slash == input + 5 || !slash[1] || slash - input - 5 > 63) {
        free(bs.url_copy);
        return qc_usage_error("submit: expected s3://BUCKET/KEY, got \"%s\"", input);
    }
    MqcMsg msg;
    int64_t size = -1;
    char etag[130] = "";
    if (mqc_remote_stat(input, &size, etag, sizeof(etag), &msg) < 0) {
        mqc_log("%s", msg.text);
        free(bs.url_copy);
        return MQC_EXIT_UNREADABLE;
    }
    struct sigaction alarm_sa = { .sa_handler = on_watchdog };
    sigaction(SIGALRM, &alarm_sa, NULL);
    Broker b = { .timeout_s = bs.timeout_s };
    int ret = broker_connect(&b, &bs.ci, &msg);
    if (ret == 0) {
        watchdog_arm(&b);
        ret = declare(&b, &o, &msg);
    }
    for (int i = 0; ret == 0 && i < segments; i++) {
        /* an S3 event record, as a publish event would carry it, plus the segment */
        cJSON *doc = cJSON_CreateObject(), *rec = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "Records"), rec);
        cJSON_AddStringToObject(rec, "eventName", "ObjectCreated:Put");
        cJSON *s3 = cJSON_AddObjectToObject(rec, "s3");
        char bucket[64];
        snprintf(bucket, sizeof(bucket), "%.*s", (int)(slash - input - 5), input + 5);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(s3, "bucket"), "name", bucket);
        cJSON *obj = cJSON_AddObjectToObject(s3, "object");
        char *key = qc_key_encode(slash + 1);
        cJSON_AddStringToObject(obj, "key", key ? key : "");
        free(key);
        cJSON_AddNumberToObject(obj, "size", (double)size);
        cJSON_AddStringToObject(obj, "eTag", etag);
        cJSON *seg = cJSON_AddObjectToObject(rec, "mediaqc");
        cJSON_AddNumberToObject(seg, "segment", i);
        cJSON_AddNumberToObject(seg, "segments", segments);
        char *text = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        ret = text ? publish(&b, "", o.queue, -1, NULL, text, strlen(text), &msg) : -1;
        free(text);
    }
    if (ret == 0) {
        amqp_tx_commit(b.conn, 1);
        ret = reply_error(amqp_get_rpc_reply(b.conn), "committing the jobs", &b, &msg);
    }
    watchdog_disarm();
    broker_close(&b, ret != 0);
    free(bs.url_copy);
    if (ret != 0) {
        mqc_log("submit: %s", msg.text);
        return MQC_EXIT_UNREADABLE;
    }
    printf("%s: %d segment jobs published to %s\n", input, segments, o.queue);
    return MQC_EXIT_PASS;
}
