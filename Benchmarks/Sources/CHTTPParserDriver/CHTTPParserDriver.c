#include <http_parser.h>
#include "CHTTPParserDriver.h"

typedef struct context {
    chp_counts *counts;
    int in_trailers;
} context;

static int on_message_begin(http_parser *parser) {
    ((context *)parser->data)->in_trailers = 0;
    return 0;
}

static int on_header_field(http_parser *parser, const char *at, size_t length) {
    (void)at; (void)length;
    context *ctx = parser->data;
    if (ctx->in_trailers) ctx->counts->trailer_fields += 1; else ctx->counts->header_fields += 1;
    return 0;
}

static int on_header_value(http_parser *parser, const char *at, size_t length) {
    (void)parser; (void)at; (void)length;
    return 0;
}

static int on_headers_complete(http_parser *parser) {
    ((context *)parser->data)->in_trailers = 1;
    return 0;
}

static int on_body(http_parser *parser, const char *at, size_t length) {
    (void)at;
    ((context *)parser->data)->counts->body_bytes += length;
    return 0;
}

static int on_message_complete(http_parser *parser) {
    ((context *)parser->data)->counts->requests += 1;
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

int chp_parse_requests(const char *buf, size_t len, chp_counts *counts) {
    context ctx = { counts, 0 };
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &ctx;
    size_t parsed = http_parser_execute(&parser, &settings, buf, len);
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) return (int)HTTP_PARSER_ERRNO(&parser);
    return parsed == len ? 0 : -1;
}

unsigned long chp_version(void) { return http_parser_version(); }
