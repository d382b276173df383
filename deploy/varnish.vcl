vcl 4.1;
# Sample Varnish 7 configuration for Insight Swarm CMS in front of gunicorn, with the
# xkey vmod of varnish-modules (Debian: apt-get install varnish varnish-modules).
#
# It keeps the public pages until a decision changes them: each page the app marks as
# cacheable carries the tags of what it shows in its xkey header, and after each
# approval or withdrawal the app sends this Varnish a PURGE naming the tags it changed
# (pages/edge.py; set EDGE_PURGE_URLS=http://127.0.0.1:6081/ on the app, one URL per
# Varnish). A failed purge is sent again until it succeeds. So a page lives here for a
# day (then it is fetched again), is compressed, and is served stale for as long as the
# app fails to answer for it (grace). Nothing else is kept: not the admin, not a
# request that carries a cookie (signed-in staff), not a response that sets one, not a
# POST, not an answer without the app's xkey header (a 404, a redirect, a preview).
#
# Run: varnishd -a :80 -f /etc/varnish/insightswarm.vcl -s malloc,1g
# TLS is left out: terminate HTTPS in front (nginx, hitch) and pass X-Forwarded-Proto,
# which Django's SECURE_PROXY_SSL_HEADER reads; it is part of the cache key here.
# make bench and tests/test_varnish_sample.py run this file as it is, on other ports.

import xkey;

backend insightswarm_app {
    # gunicorn insightswarm.wsgi --bind 127.0.0.1:8000
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
}

# Who may purge: the app servers. Anyone else's PURGE is refused.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "A purge names its tags in the xkey-purge header"));
        }
        # A hard purge: a page withdrawn is gone, never served stale in grace.
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin is per user; a cookie means a signed-in person (or one who posted a
    # form): theirs is rendered by the app, and not kept.
    if (req.url ~ "^/admin(/|$)" || req.http.Cookie || req.http.Authorization) {
        return (pass);
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.Host);
    # A page over HTTPS carries headers (Strict-Transport-Security) it lacks over HTTP.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

sub vcl_backend_response {
    # While the app fails, a background fetch keeps the copy it would have replaced.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (bereq.url ~ "^/admin(/|$)" || beresp.http.Set-Cookie || !beresp.http.xkey
        || beresp.status != 200) {
        # Not the app's cacheable page: never kept (a short hit-for-miss, so that requests
        # for it are not queued behind one another).
        set beresp.ttl = 10s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Kept until purged; a day at most, then fetched again.
    set beresp.ttl = 1d;
    # Served stale while the app cannot answer (purged pages are gone, not stale).
    set beresp.grace = 1d;
    # The app's Cache-Control ("public, no-cache") is for browsers: they ask again each
    # time and get a 304 from here while the page is unchanged.
    if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|javascript)|image/svg)") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_deliver {
    # The tags are for this cache alone.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    return (deliver);
}

sub vcl_backend_error {
    # The app is down or does not answer in time: its error, never cached.
    set beresp.ttl = 0s;
    return (deliver);
}
