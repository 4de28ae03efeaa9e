//! The client's address, for throttling and the audit log. The peer address of the connection,
//! unless that peer is a proxy we were told to trust: then `X-Forwarded-For` is read from the
//! right, skipping trusted proxies, and the first address that is not one is the client. Without
//! configured proxies the header is ignored, since anyone can send it.

use std::net::IpAddr;
use std::str::FromStr;

/// Addresses and networks (`10.0.0.0/8`, `::1`) whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma- or space-separated list, e.g. `127.0.0.1, 10.0.0.0/8`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut nets = Vec::new();
        for item in s.split([',', ' ']).map(str::trim).filter(|i| !i.is_empty()) {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| format!("not an IP address: {item}"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("bad prefix: {item}"))?,
                None => max,
            };
            nets.push((ip, bits));
        }
        Ok(Self(nets))
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (canonical(ip), canonical(net)) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// `::ffff:10.0.0.1` is `10.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 @ IpAddr::V4(_) => v4,
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_net(ip, *net, *bits))
    }

    /// The client behind `peer`, given every `X-Forwarded-For` header value in order.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        let hops: Vec<&str> = forwarded_for.iter().flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            // A garbled entry ends the chain: what lies left of it cannot be trusted either.
            let Ok(ip) = hop.parse::<IpAddr>() else { break };
            client = canonical(ip);
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("203.0.113.9"), &["1.2.3.4"]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let t: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        // The client forged the left entry; the proxy 10.1.2.3 appended what it saw.
        assert_eq!(t.client(ip("127.0.0.1"), &["6.6.6.6, 198.51.100.7, 10.1.2.3"]), ip("198.51.100.7"));
        assert_eq!(t.client(ip("127.0.0.1"), &["6.6.6.6", "198.51.100.7"]), ip("198.51.100.7"));
        // A peer that is not a trusted proxy is the client, whatever it claims.
        assert_eq!(t.client(ip("198.51.100.7"), &["10.0.0.1"]), ip("198.51.100.7"));
        // No header: the proxy itself.
        assert_eq!(t.client(ip("::ffff:10.0.0.5"), &[]), ip("10.0.0.5"));
        assert_eq!(t.client(ip("127.0.0.1"), &["garbage, 198.51.100.7"]), ip("198.51.100.7"));
    }

    #[test]
    fn lists_parse_addresses_and_networks_and_refuse_nonsense() {
        let t: TrustedProxies = "192.168.0.0/16 ::1".parse().unwrap();
        assert!(t.trusts(ip("192.168.44.1")) && t.trusts(ip("::1")) && !t.trusts(ip("192.169.0.1")));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
        let all: TrustedProxies = "0.0.0.0/0".parse().unwrap();
        assert!(all.trusts(ip("8.8.8.8")));
    }
}
