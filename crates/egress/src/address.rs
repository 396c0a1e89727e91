//! Which addresses a request from the server may reach: everything routable on the public
//! internet, nothing of the machine itself, its networks, or ranges that are never a public host.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not a public host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`) and the deprecated IPv6 site-local `fec0::/10`.
    Private,
    /// `169.254/16` (cloud metadata lives there), `fe80::/10`.
    LinkLocal,
    /// Carrier-grade NAT, `100.64/10`.
    SharedAddressSpace,
    /// IPv6 unique local addresses, `fc00::/7`.
    UniqueLocal,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `0.0.0.0/8`, `::` (connecting to them reaches the local machine).
    Unspecified,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`.
    Documentation,
    /// Everything else that is not a public unicast host: `240/4`, `192.0.0/24`, `198.18/15`
    /// (benchmarking), `100::/64` (discard), Teredo `2001::/32`, local-use NAT64 `64:ff9b:1::/48`.
    Reserved,
}

impl Blocked {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link-local",
            Self::SharedAddressSpace => "shared address space (CGNAT)",
            Self::UniqueLocal => "unique local",
            Self::Multicast => "multicast",
            Self::Unspecified => "unspecified",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Reserved => "reserved",
        }
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why `ip` is not a public host, or `None` when it is one.
///
/// IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
/// NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that IPv4 address, so
/// `[::ffff:127.0.0.1]` is loopback.
pub fn classify(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Blocked> {
    let [a, b, c, _] = ip.octets();
    let blocked = match (a, b, c) {
        (0, _, _) => Blocked::Unspecified,
        (127, _, _) => Blocked::Loopback,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => Blocked::Private,
        (169, 254, _) => Blocked::LinkLocal,
        (100, 64..=127, _) => Blocked::SharedAddressSpace,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Blocked::Documentation,
        (192, 0, 0) | (198, 18..=19, _) => Blocked::Reserved,
        (224..=239, _, _) => Blocked::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => Blocked::Broadcast,
        (240..=255, _, _) => Blocked::Reserved,
        _ => return None,
    };
    Some(blocked)
}

fn classify_v6(ip: Ipv6Addr) -> Option<Blocked> {
    if ip.is_unspecified() {
        return Some(Blocked::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Blocked::Loopback);
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let blocked = match s[0] {
        0xff00..=0xffff => Blocked::Multicast,
        0xfe80..=0xfebf => Blocked::LinkLocal,
        0xfec0..=0xfeff => Blocked::Private,
        0xfc00..=0xfdff => Blocked::UniqueLocal,
        0x2001 if s[1] == 0x0db8 => Blocked::Documentation,
        0x2001 if s[1] == 0 => Blocked::Reserved,
        0x0100 if s[1..4] == [0, 0, 0] => Blocked::Reserved,
        0x0064 if s[1] == 0xff9b && s[2] == 1 => Blocked::Reserved,
        // Everything else outside 2000::/3 (global unicast) is unassigned or special.
        first if !(0x2000..=0x3fff).contains(&first) => Blocked::Reserved,
        _ => return None,
    };
    Some(blocked)
}

/// The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] => Some(low),
        // NAT64's well-known prefix.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // 6to4: 2002:AABB:CCDD::/48.
        [0x2002, high, low16, ..] => Some(Ipv4Addr::new(
            (high >> 8) as u8,
            high as u8,
            (low16 >> 8) as u8,
            low16 as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<Blocked> {
        classify(text.parse().expect("an address"))
    }

    #[test]
    fn every_kind_of_non_public_address_is_named() {
        let cases = [
            ("127.0.0.1", Blocked::Loopback),
            ("127.255.1.2", Blocked::Loopback),
            ("::1", Blocked::Loopback),
            ("10.0.0.1", Blocked::Private),
            ("172.16.0.1", Blocked::Private),
            ("172.31.255.255", Blocked::Private),
            ("192.168.1.1", Blocked::Private),
            ("fec0::1", Blocked::Private),
            ("169.254.169.254", Blocked::LinkLocal),
            ("fe80::1", Blocked::LinkLocal),
            ("100.64.0.1", Blocked::SharedAddressSpace),
            ("100.127.255.254", Blocked::SharedAddressSpace),
            ("fc00::1", Blocked::UniqueLocal),
            ("fd12:3456::1", Blocked::UniqueLocal),
            ("224.0.0.1", Blocked::Multicast),
            ("239.255.255.250", Blocked::Multicast),
            ("ff02::1", Blocked::Multicast),
            ("0.0.0.0", Blocked::Unspecified),
            ("0.1.2.3", Blocked::Unspecified),
            ("::", Blocked::Unspecified),
            ("255.255.255.255", Blocked::Broadcast),
            ("192.0.2.10", Blocked::Documentation),
            ("198.51.100.1", Blocked::Documentation),
            ("203.0.113.7", Blocked::Documentation),
            ("2001:db8::1", Blocked::Documentation),
            ("240.0.0.1", Blocked::Reserved),
            ("198.18.0.1", Blocked::Reserved),
            ("192.0.0.8", Blocked::Reserved),
            ("100::1", Blocked::Reserved),
            ("2001::1", Blocked::Reserved),
            ("64:ff9b:1::1", Blocked::Reserved),
        ];
        for (address, expected) in cases {
            assert_eq!(kind(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_an_ipv4_address_are_judged_by_it() {
        assert_eq!(kind("::ffff:127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("::ffff:7f00:1"), Some(Blocked::Loopback));
        assert_eq!(kind("::ffff:10.1.2.3"), Some(Blocked::Private));
        assert_eq!(kind("::127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(kind("64:ff9b::a9fe:a9fe"), Some(Blocked::LinkLocal));
        assert_eq!(kind("2002:c0a8:0101::1"), Some(Blocked::Private));
        assert_eq!(kind("2002:7f00:0001::"), Some(Blocked::Loopback));
        assert_eq!(kind("::ffff:93.184.216.34"), None);
        assert_eq!(kind("2002:5db8:d822::1"), None);
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "169.253.1.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2a00:1450:4001:81b::200e",
        ] {
            assert_eq!(kind(address), None, "{address}");
        }
    }
}
