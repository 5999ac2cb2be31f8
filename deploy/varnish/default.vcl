vcl 4.1;
# Varnish in front of the SmåKom web nodes. Wagtail purges it on publish (FRONTEND_CACHE_URL
# points at Varnish, e.g. http://varnish:6081): a PURGE of a path drops that path and its query
# variants (?sida=2, ?tag=…), whatever the Host. Anonymous GETs are cached for as long as the
# page's Cache-Control (s-maxage) says; editors (session cookie), the admin, the subscriber pages
# and the webhooks pass straight to Django. Tested by tests/cms/test_varnish_purge.py.

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (!(client.ip ~ purgers)) {
            return (synth(405, "Not allowed"));
        }
        ban("obj.http.x-url ~ ^" + regsub(req.url, "\?.*$", "") + "(\?|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Tracking parameters (the newsletter's utm_*) do not change a page: one copy for every
    # click, as in the app's own page cache (cms/pagecache.py, TRACKING_PARAMS).
    if (req.url ~ "[?&](utm_[^=&]*|mc_cid|mc_eid|fbclid|gclid|msclkid)(=|&|$)") {
        set req.url = regsuball(req.url, "(?i)(?<=[?&])(utm_[^=&]*|mc_cid|mc_eid|fbclid|gclid|msclkid)(=[^&]*)?(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    if (req.url ~ "^/(admin|documents|newsletter|healthz|search|nyhetsbrev/(prenumerera|bekrafta|avsluta|installningar))(/|\?|$)") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Analytics and the CSRF cookie do not change an anonymous page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Kept with the object so a PURGE can ban by path (the lurker-friendly way).
    set beresp.http.x-url = bereq.url;
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
}
