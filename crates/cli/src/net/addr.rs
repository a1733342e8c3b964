//! Which addresses the fetcher may connect to: public unicast only.
//!
//! An allow-list for IPv6 (global unicast `2000::/3` minus its special
//! blocks) and a deny-list for IPv4 (every special-purpose block of the IANA
//! registry that is not globally reachable, plus multicast and the reserved
//! `240/4`). IPv6 forms that carry an IPv4 address (mapped, compatible,
//! NAT64, 6to4) are judged by the address they carry, because that is where
//! a dual-stack socket or a translator sends the packets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is a public unicast address the fetcher may connect to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// IPv4 blocks that are never fetched from: `(network, prefix length)`.
const DENIED_V4: [([u8; 4], u32); 15] = [
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private (RFC 1918)
    ([100, 64, 0, 0], 10),   // carrier-grade NAT (RFC 6598)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local, cloud metadata services
    ([172, 16, 0, 0], 12),   // private (RFC 1918)
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
    ([192, 88, 99, 0], 24),  // former 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private (RFC 1918)
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
    ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and the broadcast address
];

fn in_v4(ip: Ipv4Addr, network: [u8; 4], len: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask == u32::from_be_bytes(network) & mask
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !DENIED_V4
        .iter()
        .any(|&(network, len)| in_v4(ip, network, len))
}

fn in_v6(ip: Ipv6Addr, network: [u16; 8], len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(network)) & mask
}

/// Blocks inside `2000::/3` that are not public unicast.
const DENIED_V6: [([u16; 8], u32); 3] = [
    // IETF protocol assignments, Teredo (2001::/32, whose client address
    // is an obfuscated IPv4 one), ORCHID, benchmarking.
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
    ([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32), // documentation
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),      // documentation (RFC 9637)
];

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated).
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) || in_v6(ip, [0, 0, 0, 0, 0xffff, 0, 0, 0], 96)
    {
        return is_public_v4(low32);
    }
    // NAT64 well-known prefix: the translator connects to the IPv4 address.
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return is_public_v4(low32);
    }
    // 6to4: the IPv4 address of the relay's far end is bits 16..48.
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let embedded = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return is_public_v4(embedded);
    }
    // Everything else outside global unicast is refused: ::/96 (unspecified,
    // loopback, IPv4-compatible), 64:ff9b:1::/48, 100::/64, fc00::/7,
    // fe80::/10, fec0::/10, ff00::/8 and the unassigned space.
    in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3)
        && !DENIED_V6
            .iter()
            .any(|&(network, len)| in_v6(ip, network, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every range of the policy, at its edges and inside, both families.
    #[test]
    fn classifies_every_range() {
        let table: &[(&str, bool)] = &[
            // IPv4 public
            ("1.1.1.1", true),
            ("8.8.8.8", true),
            ("9.255.255.255", true),
            ("11.0.0.0", true),
            ("100.63.255.255", true),
            ("100.128.0.0", true),
            ("126.255.255.255", true),
            ("128.0.0.0", true),
            ("169.253.255.255", true),
            ("169.255.0.0", true),
            ("172.15.255.255", true),
            ("172.32.0.0", true),
            ("192.0.1.0", true),
            ("192.0.3.0", true),
            ("192.167.255.255", true),
            ("192.169.0.0", true),
            ("198.17.255.255", true),
            ("198.20.0.0", true),
            ("203.0.112.255", true),
            ("223.255.255.255", true),
            // IPv4 refused
            ("0.0.0.0", false),
            ("0.255.255.255", false),
            ("10.0.0.0", false),
            ("10.1.2.3", false),
            ("10.255.255.255", false),
            ("100.64.0.0", false),
            ("100.127.255.255", false),
            ("127.0.0.1", false),
            ("127.0.0.2", false),
            ("127.255.255.255", false),
            ("169.254.0.0", false),
            ("169.254.169.254", false),
            ("169.254.255.255", false),
            ("172.16.0.0", false),
            ("172.31.255.255", false),
            ("192.0.0.8", false),
            ("192.0.2.1", false),
            ("192.88.99.1", false),
            ("192.168.0.1", false),
            ("192.168.255.255", false),
            ("198.18.0.0", false),
            ("198.19.255.255", false),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            // IPv6 public
            ("2606:4700::1111", true),
            ("2a00:1450:4007:80e::200e", true),
            ("2001:200::1", true),
            ("3ffe::1", true),
            ("::ffff:8.8.8.8", true),
            ("::ffff:0:8.8.8.8", true),
            ("64:ff9b::808:808", true),
            ("2002:0808:0808::1", true),
            // IPv6 refused
            ("::", false),
            ("::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:7f00:1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::ffff:0.0.0.0", false),
            ("::ffff:0:127.0.0.1", false),
            ("::127.0.0.1", false),
            ("::8.8.8.8", false),
            ("64:ff9b::7f00:1", false),
            ("64:ff9b::a9fe:a9fe", false),
            ("64:ff9b:1::808:808", false),
            ("2002:7f00:0001::1", false),
            ("2002:c0a8:0101::1", false),
            ("2002:a9fe:a9fe::1", false),
            ("100::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("febf::1", false),
            ("fec0::1", false),
            ("ff02::1", false),
            ("ff0e::1", false),
            ("2001::1", false),
            ("2001:1ff:ffff::1", false),
            ("2001:db8::1", false),
            ("3fff::1", false),
            ("4000::1", false),
            ("1000::1", false),
        ];
        let wrong: Vec<_> = table
            .iter()
            .filter(|(text, public)| is_public(text.parse().unwrap()) != *public)
            .collect();
        assert!(wrong.is_empty(), "misclassified: {wrong:?}");
    }
}
