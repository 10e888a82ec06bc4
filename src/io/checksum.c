/*
 * checksum.c -- SHA-256 (FIPS 180-4) of input files, so the provenance
 * written with the outputs says exactly which data produced them.
 */
#include "io/checksum.h"

#include <greenmine/context.h>

#include <cpl_string.h>
#include <openssl/evp.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them: a
 * province's inputs (hundreds of MB at scale) hash in a fraction of a second,
 * several times faster than portable C. */
typedef struct sha256 {
    EVP_MD_CTX *md;
} sha256;

/* These run on the checksum thread, which has no context: they return a
 * gm_status without a message, and a failure means "no checksum". */
static int sha_init(sha256 *s)
{
    s->md = EVP_MD_CTX_new();
    if (s->md && EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) == 1) return GM_OK;
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
    return GM_ERR_INTERNAL;
}

static int sha_update(sha256 *s, const void *data, size_t len)
{
    return EVP_DigestUpdate(s->md, data, len) == 1 ? GM_OK : GM_ERR_INTERNAL;
}

/* Writes the hex digest and frees the state; nothing written on failure. */
static int sha_final(sha256 *s, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(s->md, d, &n) == 1 && n == 32;
    EVP_MD_CTX_free(s->md);
    s->md = NULL;
    for (unsigned i = 0; ok && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return ok ? GM_OK : GM_ERR_INTERNAL;
}

void gm_sha256_hex(const void *data, size_t len, char hex[65])
{
    sha256 s;
    hex[0] = '\0';
    if (sha_init(&s) != GM_OK) return;
    if (sha_update(&s, data, len) != GM_OK) {
        EVP_MD_CTX_free(s.md);
        return;
    }
    sha_final(&s, hex);
}

int gm_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) return GM_ERR_OPEN;
    sha256 s;
    enum { BUF = 1 << 20 };
    unsigned char *buf = malloc(BUF);
    int rc = buf ? sha_init(&s) : GM_ERR_NOMEM;
    if (rc != GM_OK) {
        free(buf);
        fclose(f);
        return rc;
    }
    size_t n;
    while (rc == GM_OK && (n = fread(buf, 1, BUF, f)) > 0)
        rc = sha_update(&s, buf, n);
    if (rc == GM_OK && ferror(f)) rc = GM_ERR_OPEN;
    fclose(f);
    free(buf);
    if (rc != GM_OK) {
        EVP_MD_CTX_free(s.md);
        return rc;
    }
    return sha_final(&s, hex);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int by_base_name(const void *a, const void *b)
{
    return strcmp(base_name(*(char *const *)a), base_name(*(char *const *)b));
}

char *gm_dataset_checksum(GDALDatasetH ds)
{
    char **files = GDALGetFileList(ds);
    char *out = gm_files_checksum(files);
    CSLDestroy(files);
    return out;
}

char *gm_files_checksum(char **files)
{
    int n = CSLCount(files);
    char *out = NULL;
    char hex[65];
    if (n == 1) {
        if (gm_sha256_file(files[0], hex) == GM_OK) out = strdup(hex);
    } else if (n > 1) {
        qsort(files, (size_t)n, sizeof *files, by_base_name);
        sha256 all;
        int ok = sha_init(&all) == GM_OK;
        for (int i = 0; i < n && ok; i++) {
            const char *name = base_name(files[i]);
            ok = gm_sha256_file(files[i], hex) == GM_OK && sha_update(&all, hex, 64) == GM_OK &&
                 sha_update(&all, "  ", 2) == GM_OK &&
                 sha_update(&all, name, strlen(name)) == GM_OK &&
                 sha_update(&all, "\n", 1) == GM_OK;
        }
        if (ok && sha_final(&all, hex) == GM_OK)
            out = strdup(hex);
        else if (all.md)
            EVP_MD_CTX_free(all.md);
    }
    return out;
}
