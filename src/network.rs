//! Who is asking: the client's address as every limit sees it. The TCP peer, unless the peer is
//! one of the configured trusted proxies; only then is a forwarded-for header believed, and
//! only its right-most hop that no trusted proxy added.

use std::net::IpAddr;

use ipnet::IpNet;
use rocket::Request;

/// The proxies whose `X-Forwarded-For` / `X-Real-IP` are believed (`trusted_proxies`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Reads a comma- or space-separated list of CIDRs or addresses (`10.0.0.0/8, ::1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split([',', ' '])
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("ROCKET_TRUSTED_PROXIES: `{item}` is not a CIDR or address")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trust(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`: `peer` itself unless it is trusted; then the right-most
    /// address of `forwarded_for` that is not a trusted proxy (the left-most when all are),
    /// else `real_ip`, else `peer`. Unparseable hops end the walk: nothing left of them can
    /// be believed.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str], real_ip: Option<&str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trust(peer) {
            return peer;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|header| header.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        if !hops.is_empty() {
            let mut client = peer;
            for hop in hops.iter().rev() {
                let Ok(address) = hop.parse::<IpAddr>() else {
                    return client;
                };
                client = address.to_canonical();
                if !self.trust(client) {
                    return client;
                }
            }
            return client;
        }
        real_ip
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok())
            .map_or(peer, |ip| ip.to_canonical())
    }
}

/// The client address of `request` under `proxies`; `None` only for a request without a peer
/// (Rocket's local client in tests, unless it sets one).
pub fn client_address(request: &Request<'_>, proxies: &TrustedProxies) -> Option<IpAddr> {
    let peer = request.remote()?.ip();
    let headers = request.headers();
    let forwarded_for: Vec<&str> = headers.get("X-Forwarded-For").collect();
    Some(proxies.client(peer, &forwarded_for, headers.get_one("X-Real-IP")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.7"), &["1.2.3.4"], Some("5.6.7.8")),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        let ingress = ip("10.1.2.3");
        // A client's own X-Forwarded-For entries are on the left; the proxies append.
        assert_eq!(
            proxies.client(ingress, &["6.6.6.6, 198.51.100.9, 192.168.1.1"], None),
            ip("198.51.100.9")
        );
        assert_eq!(
            proxies.client(ingress, &["6.6.6.6", "198.51.100.9"], None),
            ip("198.51.100.9")
        );
        assert_eq!(
            proxies.client(ingress, &[], Some("198.51.100.9")),
            ip("198.51.100.9")
        );
        assert_eq!(proxies.client(ingress, &[], None), ingress);
        assert_eq!(
            proxies.client(ingress, &["garbage, 10.0.0.2"], None),
            ip("10.0.0.2")
        );
        // A peer that is not a trusted proxy is believed over any header.
        assert_eq!(
            proxies.client(ip("198.51.100.1"), &["1.1.1.1"], None),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn ipv4_mapped_addresses_are_plain_ipv4() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &["::ffff:1.2.3.4"], None),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn a_bad_entry_is_named() {
        let error = TrustedProxies::parse("10.0.0.0/8,nope").unwrap_err();
        assert!(error.contains("`nope`"), "{error}");
    }
}
