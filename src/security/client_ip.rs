//! The client's address: the peer's, or, when the peer is a trusted proxy (`TRUSTED_PROXIES`),
//! the first address in the proxies' header (`X-Forwarded-For`, or `Forwarded` with
//! `TRUSTED_PROXY_HEADER=forwarded`) that is not a trusted proxy itself, read from the right.
//! Only that one header is read: a proxy that appends to one passes the other through as the
//! client wrote it. A header sent by anyone else is ignored: it could say anything.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use crealia_core::accounts::ClientAddress;
use ipnet::IpNet;

/// Which header the trusted proxies write the client's address in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

#[derive(Clone, Default)]
pub struct TrustedProxies {
    pub networks: Arc<Vec<IpNet>>,
    pub header: ProxyHeader,
}

impl TrustedProxies {
    fn trusts(&self, ip: &IpAddr) -> bool {
        self.networks.iter().any(|net| net.contains(ip))
    }
}

/// One `for=` value of `Forwarded` (RFC 7239) or an `X-Forwarded-For` entry: an address with
/// an optional port, IPv6 in brackets. `unknown` and obfuscated names are None.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    if let Ok(ip) = raw.parse() {
        return Some(ip);
    }
    raw.rsplit_once(':').and_then(|(host, _port)| host.parse::<std::net::Ipv4Addr>().ok()).map(IpAddr::V4)
}

/// The hops the proxies wrote, left (the client) to right (the last proxy's peer).
fn forwarded_chain(headers: &HeaderMap, which: ProxyHeader) -> Vec<Option<IpAddr>> {
    if which == ProxyHeader::Forwarded {
        let forwarded: Vec<&str> = headers.get_all("forwarded").iter().filter_map(|v| v.to_str().ok()).collect();
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| pair.trim().split_once('=').filter(|(k, _)| k.trim().eq_ignore_ascii_case("for")).map(|(_, v)| v))
            })
            .map(parse_hop)
            .collect();
    }
    headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(parse_hop).collect()
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    // An IPv4 peer of a dual-stack socket arrives as ::ffff:a.b.c.d.
    let peer = peer.to_canonical();
    if !trusted.trusts(&peer) {
        return peer;
    }
    let mut last = peer;
    for hop in forwarded_chain(headers, trusted.header).into_iter().rev().map(|h| h.map(|ip| ip.to_canonical())) {
        match hop {
            Some(ip) if trusted.trusts(&ip) => last = ip,
            Some(ip) => return ip,
            // A hop no one can read: the nearest one known is the best answer.
            None => return last,
        }
    }
    last
}

/// Puts the request's [`ClientAddress`] in its extensions for throttling and logs.
pub async fn resolve(State(trusted): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(peer) = peer {
        let ip = client_ip(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddress(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trusted = TrustedProxies { networks: Arc::new(vec!["10.0.0.0/8".parse().unwrap()]), header: ProxyHeader::XForwardedFor };
        let rfc_trusted = TrustedProxies { header: ProxyHeader::Forwarded, ..trusted.clone() };
        let h = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.7"), "through two proxies");
        assert_eq!(client_ip(ip("198.51.100.1"), &h, &trusted), ip("198.51.100.1"), "an untrusted peer's header is ignored");
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &spoofed, &trusted), ip("203.0.113.7"), "what the client prepended is not believed");
        assert_eq!(client_ip(ip("10.0.0.2"), &HeaderMap::new(), &trusted), ip("10.0.0.2"));
        let rfc = headers(&[("forwarded", "for=\"[2001:db8::17]:4711\";proto=https, for=10.1.2.3")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &rfc, &rfc_trusted), ip("2001:db8::17"));
        let v4_port = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &v4_port, &rfc_trusted), ip("192.0.2.60"));
        let unknown = headers(&[("forwarded", "for=unknown, for=10.9.9.9")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &unknown, &rfc_trusted), ip("10.9.9.9"));
        // Only the configured header counts: the other is whatever the client sent.
        let both = headers(&[("forwarded", "for=1.2.3.4"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &both, &trusted), ip("203.0.113.7"));
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&[("x-forwarded-for", "203.0.113.7")]), &rfc_trusted), ip("10.0.0.2"));
        // A dual-stack listener sees an IPv4 proxy as ::ffff:10.0.0.2.
        assert_eq!(client_ip(ip("::ffff:10.0.0.2"), &h, &trusted), ip("203.0.113.7"));
        let none = TrustedProxies::default();
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &none), ip("10.0.0.2"), "without TRUSTED_PROXIES no header counts");
    }
}
