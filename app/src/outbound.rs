//! [ssr] Outgoing requests to addresses an account chose (a browser's Web
//! Push endpoint today; later a Nightscout site or a FHIR server): the host
//! is resolved once, every address it resolves to must be public — not this
//! machine, not a private, link-local, shared (CGNAT), multicast, broadcast,
//! reserved or unspecified address, nor an IPv4-mapped, -compatible or NAT64
//! form of one — and the request goes to the checked address only, so a
//! second lookup cannot point it elsewhere (DNS rebinding).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |high: [u16; 6]| {
        (s[..6] == high)
            .then(|| Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
    };
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96).
    if let Some(v4) = embedded([0, 0, 0, 0, 0, 0xffff])
        .or_else(|| {
            embedded([0, 0, 0, 0, 0, 0])
                .filter(|v4| !v4.is_unspecified() && *v4 != Ipv4Addr::new(0, 0, 0, 1))
        })
        .or_else(|| embedded([0x64, 0xff9b, 0, 0, 0, 0]))
    {
        return public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || s[0] == 0x2001 && s[1] == 0x0db8 // documentation
        || (s[0] == 0x64 && s[1] == 0xff9b)) // local-use NAT64
}

/// Whether an address may be reached on an account's behalf.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

/// Where a checked request goes: the URL's host and the one address it may use.
#[derive(Debug, Clone)]
pub struct Checked {
    pub host: String,
    pub addr: SocketAddr,
}

/// Resolves `url`'s host and checks every address it gives; `allow_local`
/// (tests on this machine only) lets loopback through.
pub async fn resolve(url: &url::Url, allow_local: bool) -> Result<Checked, String> {
    let host = url
        .host_str()
        .ok_or_else(|| "the address has no host".to_owned())?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| "the address has no port".to_owned())?;
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare.as_str(), port))
            .await
            .map_err(|_| "the address's host cannot be found".to_owned())?
            .collect(),
    };
    if addrs.is_empty() {
        return Err("the address's host cannot be found".into());
    }
    let allowed = |ip: IpAddr| is_public(ip) || (allow_local && ip.is_loopback());
    if let Some(bad) = addrs.iter().find(|a| !allowed(a.ip())) {
        tracing::warn!(address = %bad.ip(), "refused an outgoing request to a non-public address");
        return Err("the address is not a public service".into());
    }
    Ok(Checked {
        host: bare,
        addr: addrs[0],
    })
}

/// A client whose every request to `checked.host` goes to `checked.addr`
/// (TLS still checks the host's name); no redirects are followed.
pub fn client_for(checked: &Checked) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&checked.host, checked.addr)
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_in_every_spelling_are_refused() {
        for text in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "::ffff:169.254.169.254",
            "fd00::1",
            "fe80::1",
            "ff02::1",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(!is_public(ip), "{text} must be refused");
        }
        for text in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "64:ff9b::5db8:d822",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            assert!(is_public(ip), "{text} is public");
        }
    }

    #[tokio::test]
    async fn names_are_resolved_and_checked_and_literals_too() {
        let refused = |u: &str| {
            let u = url::Url::parse(u).unwrap();
            async move { resolve(&u, false).await.is_err() }
        };
        assert!(refused("https://localhost/push").await);
        assert!(refused("https://localhost./push").await);
        assert!(refused("https://[::ffff:127.0.0.1]:8443/push").await);
        assert!(refused("https://[::127.0.0.1]/push").await);
        assert!(refused("https://100.64.0.1/push").await);
        let local = url::Url::parse("http://127.0.0.1:9/x").unwrap();
        assert!(
            resolve(&local, true).await.is_ok(),
            "tests may use loopback"
        );
    }
}
