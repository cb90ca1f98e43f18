#ifndef LICMGR_CCURL_SHIM_H
#define LICMGR_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
   these typed wrappers are the only way in. */

static inline CURLcode licmgr_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode licmgr_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode licmgr_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

typedef size_t (*licmgr_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode licmgr_curl_setopt_write_function(CURL *curl, licmgr_curl_write_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode licmgr_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode licmgr_curl_getinfo_string(CURL *curl, CURLINFO info, const char **value) {
    return curl_easy_getinfo(curl, info, value);
}

static inline CURLcode licmgr_curl_getinfo_off(CURL *curl, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(curl, info, value);
}

/* CURLVERSION_NOW is a macro naming the newest enum case, which Swift does not import. */
static inline const curl_version_info_data *licmgr_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
