vcl 4.1;
# Varnish in front of the bench origin. Everything fresh (max-age=3600) is cached as Varnish does
# out of the box. max-age=0 objects would become hit-for-miss under the built-in VCL; keep them
# with a tiny TTL, no grace and a long keep, so Varnish stores their validators and revalidates
# every request with If-None-Match (a conditional backend fetch), like nginx and cachet.

backend origin {
    .host = "127.0.0.1";
    .port = "@PORT_ORIGIN_VARNISH@";
}

sub vcl_backend_response {
    if (beresp.ttl <= 0s && (beresp.http.ETag || beresp.http.Last-Modified)) {
        set beresp.ttl = 0.001s;
        set beresp.grace = 0s;
        set beresp.keep = 1h;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
