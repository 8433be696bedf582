/*
 * images: getting a merchant's images to a platform that lists only its own copies (TikTok
 * Shop's Upload Product Image, WeChat's img/upload). The part every such platform shares:
 * fetch each image from the URL souk shows, bounded by the platform's file limit, hand the
 * bytes to the connector's send, and remember the outcome for the rest of the push, so an
 * image shown by several items is fetched once, and a merchant's server that does not answer
 * costs one timeout per push, not one per image.
 *
 * What an outcome means for the item: an image whose URL answers 4xx, is larger than the
 * platform takes or that the platform refuses is the item's fault (rejected, with the reason,
 * until the merchant changes it); a server that does not answer, or answers 5xx, is tried again
 * later. Uploaded copies are kept per channel by sync.c (channel_images), which loads them
 * into struct souk_channels__image before the push, so an image is uploaded once per channel.
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/image.h"

#define FETCH_TIMEOUT_MS 10000 /* for one image from the merchant's server */

/* An image of the push with this URL that is settled (uploaded or failed), or NULL. */
static const struct souk_channels__image *settled_before(const struct souk_channels__uploader *u,
                                                         const char *url)
{
    for (size_t i = 0; i < u->n; i++)
        for (size_t j = 0; j < u->items[i].nimages; j++) {
            const struct souk_channels__image *image = &u->items[i].images[j];
            if ((image->ref || image->problem) && strcmp(image->url, url) == 0)
                return image;
        }
    return NULL;
}

/* The image's bytes as multipart/form-data: the file in u->part (its Content-Type from the
 * bytes), then u->fields. False when the bytes hold the boundary or form's cap is hit. */
static bool image_form(const struct souk_channels__uploader *u, struct souk_buf *form,
                       struct souk_str bytes)
{
    static const char boundary[] = SOUK_CHANNELS__FORM_BOUNDARY;
    if (memmem(bytes.ptr, bytes.len, boundary, sizeof boundary - 1))
        return false;
    bool ok = souk_buf_addf(form,
                            "--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                            "filename=\"image\"\r\nContent-Type: %s\r\n\r\n",
                            boundary, u->part, souk_image_media_type(bytes)) == SOUK_OK &&
              souk_buf_add(form, bytes.ptr, bytes.len) == SOUK_OK;
    for (size_t i = 0; ok && u->fields && u->fields[i]; i += 2)
        ok = souk_buf_addf(form,
                           "\r\n--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s",
                           boundary, u->fields[i], u->fields[i + 1]) == SOUK_OK;
    return ok && souk_buf_addf(form, "\r\n--%s--\r\n", boundary) == SOUK_OK;
}

/* Checks fetched bytes and sends them as a form; sets image->ref, or image->problem. */
static enum souk_channels__upload hand_over(struct souk_channels__uploader *u,
                                            struct souk_channels__image *image,
                                            struct souk_str bytes,
                                            struct souk_channels__batch_outcome *out)
{
    const char *format, *refusal = NULL;
    uint32_t width, height;
    struct souk_buf form = SOUK_BUF_INIT(u->max_bytes + 4096);
    enum souk_channels__upload result = SOUK_CHANNELS__UNUSABLE;
    if (bytes.len > u->max_bytes)
        image->problem = souk_pool_printf(u->pool, "the image %s is larger than %s's %zu MB",
                                          image->url, u->platform, u->max_bytes >> 20);
    else if (!souk_image_size(bytes, &format, &width, &height) || !width || !height)
        image->problem =
            souk_pool_printf(u->pool, "the image %s is not a JPEG or PNG file", image->url);
    else if (!image_form(u, &form, bytes))
        image->problem =
            souk_pool_printf(u->pool, "the image %s cannot be sent as a form", image->url);
    else if (!u->send(u->arg, (struct souk_str){form.data, form.len}, width, height,
                      &image->ref, &refusal, out))
        result = SOUK_CHANNELS__UPLOAD_FAILED;
    else if (image->ref)
        result = SOUK_CHANNELS__UPLOADED;
    else if (!refusal) {
        snprintf(out->error, sizeof out->error, "%s took an image but named no copy of it",
                 u->platform);
        result = SOUK_CHANNELS__UPLOAD_FAILED;
    }
    souk_buf_release(&form);
    if (refusal)
        image->problem = souk_pool_printf(u->pool, "%s refused the image %s: %s", u->platform,
                                          image->url, refusal);
    image->fresh = result == SOUK_CHANNELS__UPLOADED;
    return result;
}

/* Fetches the image and sends it; settles image (ref, or problem) unless the platform failed
 * the whole batch. */
static enum souk_channels__upload upload(struct souk_channels__uploader *u,
                                         struct souk_channels__image *image,
                                         struct souk_channels__batch_outcome *out)
{
    if (u->_fetch_failed) {
        image->problem = souk_pool_printf(u->pool, "the image %s was not fetched: %s", image->url,
                                          u->_fetch_failed);
        image->unreachable = true;
        return SOUK_CHANNELS__UNREACHABLE;
    }
    struct souk_channels__request get = {.url = image->url, .timeout_ms = FETCH_TIMEOUT_MS};
    struct souk_channels__response resp;
    int rc = souk_channels__client_call(u->client, &get, &resp);
    enum souk_channels__upload result;
    if (rc != SOUK_OK) {
        image->problem = souk_pool_printf(u->pool, "the image %s could not be fetched: %s",
                                          image->url, resp.transport_error);
        result = SOUK_CHANNELS__UNREACHABLE;
    } else if (resp.status < 200 || resp.status >= 300) {
        image->problem =
            souk_pool_printf(u->pool, "the image %s answered HTTP %ld", image->url, resp.status);
        result = souk_channels__refused(resp.status) ? SOUK_CHANNELS__UNUSABLE
                                                     : SOUK_CHANNELS__UNREACHABLE;
    } else {
        result = hand_over(u, image, (struct souk_str){resp.body.data, resp.body.len}, out);
    }
    souk_channels__response_release(&resp);
    image->unreachable = result == SOUK_CHANNELS__UNREACHABLE;
    if (image->unreachable)
        u->_fetch_failed = image->problem;
    return result;
}

enum souk_channels__upload souk_channels__upload_images(struct souk_channels__uploader *u,
                                                        struct souk_channels__push *p,
                                                        const char **reason,
                                                        struct souk_channels__batch_outcome *out)
{
    for (size_t i = 0; i < p->nimages; i++) {
        struct souk_channels__image *image = &p->images[i];
        const struct souk_channels__image *before = image->ref ? NULL : settled_before(u, image->url);
        enum souk_channels__upload result = SOUK_CHANNELS__UPLOADED;
        if (before && before != image) {
            image->ref = before->ref;
            image->problem = before->problem;
            image->unreachable = before->unreachable;
        }
        if (!image->ref && !image->problem)
            result = upload(u, image, out);
        else if (!image->ref)
            result = image->unreachable ? SOUK_CHANNELS__UNREACHABLE : SOUK_CHANNELS__UNUSABLE;
        if (result == SOUK_CHANNELS__UPLOADED)
            continue;
        *reason = image->problem;
        return result;
    }
    return SOUK_CHANNELS__UPLOADED;
}
