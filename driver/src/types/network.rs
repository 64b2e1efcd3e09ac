//! Network addresses: `inet` and `cidr` as [`IpNetwork`] (address + prefix) or, for host
//! addresses, [`std::net::IpAddr`]; `macaddr` and `macaddr8` as [`MacAddr`] and [`MacAddr8`].
//!
//! `inet`/`cidr` travel in binary: family (2 = IPv4, 3 = IPv6), prefix bits, an is-cidr flag,
//! the address length, then the address bytes.
//!
//! `macaddr` and `macaddr8` travel in binary (6 or 8 bytes), alone, in arrays and in records; a
//! `String` reads them as the server prints them (`08:00:2b:01:02:03`, which depends on no
//! setting) and is sent to them in text. [`MacAddr`] also parses the text form (a text-format
//! record or array, a text codec).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use bytes::{BufMut, BytesMut};

use super::{BoxError, Decode, Encode, Format, IsNull, PgType, Type, ValueRef, oid, text};

/// PostgreSQL's address family codes in the binary format.
const PGSQL_AF_INET: u8 = 2;
const PGSQL_AF_INET6: u8 = 3;

/// An IP address with a network prefix length: the value of an `inet` or `cidr` column.
///
/// The prefix is checked against the address family (at most 32 for IPv4, 128 for IPv6).
/// `inet` keeps host bits (`10.1.2.3/8`); `cidr` requires them to be zero, which the server checks.
///
/// ```
/// use quarry_driver::types::IpNetwork;
/// let net: IpNetwork = "10.0.0.0/8".parse().unwrap();
/// assert_eq!(net.prefix(), 8);
/// assert_eq!(net.to_string(), "10.0.0.0/8");
/// assert!(IpNetwork::new("10.0.0.0".parse().unwrap(), 33).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNetwork {
    addr: IpAddr,
    prefix: u8,
}

/// An `inet`/`cidr` value was malformed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkError {
    /// The prefix is longer than the address family allows.
    #[error("network prefix /{prefix} is too long for {addr} (at most {max})")]
    PrefixTooLong {
        /// The address.
        addr: IpAddr,
        /// The prefix asked for.
        prefix: u8,
        /// The longest prefix the family allows.
        max: u8,
    },
    /// The binary value did not have the inet layout.
    #[error("invalid binary inet/cidr value of {0} bytes")]
    InvalidBinary(usize),
    /// The text is no address with an optional `/prefix`.
    #[error("invalid network address {0:?}")]
    InvalidText(String),
    /// An `inet` with a prefix shorter than the address was decoded into `IpAddr`.
    #[error("{0} is a network, not a host address: decode it into IpNetwork")]
    NotAHost(IpNetwork),
    /// A MAC address had the wrong form.
    #[error("invalid MAC address {0:?}")]
    InvalidMac(String),
}

fn max_prefix(addr: &IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl IpNetwork {
    /// A network of `addr` with `prefix` bits; an error if the prefix is too long for the family.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<IpNetwork, NetworkError> {
        let max = max_prefix(&addr);
        if prefix > max {
            return Err(NetworkError::PrefixTooLong { addr, prefix, max });
        }
        Ok(IpNetwork { addr, prefix })
    }

    /// A host address: the full prefix (32 or 128).
    ///
    /// ```
    /// use quarry_driver::types::IpNetwork;
    /// let host = IpNetwork::host("::1".parse().unwrap());
    /// assert_eq!(host.to_string(), "::1/128");
    /// ```
    pub fn host(addr: IpAddr) -> IpNetwork {
        IpNetwork {
            prefix: max_prefix(&addr),
            addr,
        }
    }

    /// The address (host bits included).
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether this is a single host (the prefix covers the whole address).
    pub fn is_host(&self) -> bool {
        self.prefix == max_prefix(&self.addr)
    }

    /// The network address: `addr` with the host bits cleared (what a `cidr` holds).
    ///
    /// ```
    /// use quarry_driver::types::IpNetwork;
    /// let net: IpNetwork = "10.1.2.3/8".parse().unwrap();
    /// assert_eq!(net.network().to_string(), "10.0.0.0");
    /// ```
    pub fn network(&self) -> IpAddr {
        match self.addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
            }
        }
    }
}

impl fmt::Display for IpNetwork {
    /// `address/prefix`, as PostgreSQL's `inet::text` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for IpNetwork {
    type Err = NetworkError;

    /// `address/prefix`, or a bare address for a host.
    fn from_str(s: &str) -> Result<IpNetwork, NetworkError> {
        let invalid = || NetworkError::InvalidText(s.to_owned());
        match s.split_once('/') {
            Some((addr, prefix)) => {
                let addr = addr.parse().map_err(|_| invalid())?;
                let prefix = prefix.parse().map_err(|_| invalid())?;
                IpNetwork::new(addr, prefix)
            }
            None => Ok(IpNetwork::host(s.parse().map_err(|_| invalid())?)),
        }
    }
}

impl From<IpAddr> for IpNetwork {
    fn from(addr: IpAddr) -> IpNetwork {
        IpNetwork::host(addr)
    }
}

fn is_inet(ty: &PgType) -> bool {
    matches!(ty.base_oid(), oid::INET | oid::CIDR)
}

fn encode_inet(net: &IpNetwork, ty: &PgType, buf: &mut BytesMut) {
    let is_cidr = u8::from(ty.base_oid() == oid::CIDR);
    match net.addr {
        IpAddr::V4(a) => {
            buf.put_slice(&[PGSQL_AF_INET, net.prefix, is_cidr, 4]);
            buf.put_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            buf.put_slice(&[PGSQL_AF_INET6, net.prefix, is_cidr, 16]);
            buf.put_slice(&a.octets());
        }
    }
}

fn decode_inet(value: &ValueRef<'_>) -> Result<IpNetwork, BoxError> {
    let raw = value.non_null()?;
    if value.format() == Format::Text {
        return Ok(text(raw)?.parse()?);
    }
    let invalid = || NetworkError::InvalidBinary(raw.len());
    let (header, addr) = raw.split_first_chunk::<4>().ok_or_else(invalid)?;
    let [family, prefix, _is_cidr, len] = *header;
    let addr = match (family, len) {
        (PGSQL_AF_INET, 4) => {
            let octets: [u8; 4] = addr.try_into().map_err(|_| invalid())?;
            IpAddr::from(octets)
        }
        (PGSQL_AF_INET6, 16) => {
            let octets: [u8; 16] = addr.try_into().map_err(|_| invalid())?;
            IpAddr::from(octets)
        }
        _ => return Err(invalid().into()),
    };
    Ok(IpNetwork::new(addr, prefix)?)
}

impl Type for IpNetwork {
    fn accepts(ty: &PgType) -> bool {
        is_inet(ty)
    }
}

impl Encode for IpNetwork {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_inet(self, ty, buf);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_inet(ty)
    }
}

impl<'r> Decode<'r> for IpNetwork {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_inet(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        decode_inet(&value)
    }
}

impl Type for IpAddr {
    fn accepts(ty: &PgType) -> bool {
        is_inet(ty)
    }
}

impl Encode for IpAddr {
    fn encode(&self, ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
        encode_inet(&IpNetwork::host(*self), ty, buf);
        Ok(IsNull::No)
    }
    fn accepts(&self, ty: &PgType) -> bool {
        is_inet(ty)
    }
}

impl<'r> Decode<'r> for IpAddr {
    crate::types::decode_copy_owned!();
    fn accepts(ty: &PgType, _format: Format) -> bool {
        is_inet(ty)
    }
    fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
        let net = decode_inet(&value)?;
        if net.is_host() {
            Ok(net.addr)
        } else {
            Err(NetworkError::NotAHost(net).into())
        }
    }
}

/// Codecs for the two MAC address types, which differ only in length and OID.
macro_rules! mac {
    ($(#[$doc:meta])* $name:ident, $len:literal, $oid:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl fmt::Display for $name {
            /// Lower-case hex pairs joined by `:`, as PostgreSQL prints it.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for (i, byte) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }

        impl FromStr for $name {
            type Err = NetworkError;

            /// Hex digits, optionally separated by `:`, `-` or `.` (as PostgreSQL accepts).
            fn from_str(s: &str) -> Result<$name, NetworkError> {
                let invalid = || NetworkError::InvalidMac(s.to_owned());
                let digits: Vec<u8> = s
                    .bytes()
                    .filter(|b| !matches!(b, b':' | b'-' | b'.'))
                    .collect();
                if digits.len() != $len * 2 {
                    return Err(invalid());
                }
                let mut out = [0u8; $len];
                for (slot, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
                    let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
                    *slot = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
                }
                Ok($name(out))
            }
        }

        impl Type for $name {
            fn accepts(ty: &PgType) -> bool {
                ty.base_oid() == $oid
            }
        }

        impl Encode for $name {
            fn encode(&self, _ty: &PgType, buf: &mut BytesMut) -> Result<IsNull, BoxError> {
                buf.put_slice(&self.0);
                Ok(IsNull::No)
            }
            fn accepts(&self, ty: &PgType) -> bool {
                ty.base_oid() == $oid
            }
        }

        impl<'r> Decode<'r> for $name {
            fn accepts(ty: &PgType, _format: Format) -> bool {
                ty.base_oid() == $oid
            }
            super::decode_copy_owned!();
            fn decode(value: ValueRef<'r>) -> Result<Self, BoxError> {
                let raw = value.non_null()?;
                match value.format() {
                    Format::Text => Ok(text(raw)?.parse()?),
                    Format::Binary => raw.try_into().map($name).map_err(|_| {
                        Box::new(NetworkError::InvalidMac(format!("{raw:02x?}"))) as BoxError
                    }),
                }
            }
        }
    };
}

mac!(
    /// A `macaddr` value: six bytes.
    ///
    /// ```
    /// use quarry_driver::types::MacAddr;
    /// let mac: MacAddr = "08:00:2b:01:02:03".parse().unwrap();
    /// assert_eq!(mac.0[0], 8);
    /// assert_eq!(mac.to_string(), "08:00:2b:01:02:03");
    /// ```
    MacAddr,
    6,
    oid::MACADDR
);

mac!(
    /// A `macaddr8` value: eight bytes (EUI-64).
    ///
    /// ```
    /// use quarry_driver::types::MacAddr8;
    /// let mac: MacAddr8 = "08:00:2b:01:02:03:04:05".parse().unwrap();
    /// assert_eq!(mac.to_string(), "08:00:2b:01:02:03:04:05");
    /// ```
    MacAddr8,
    8,
    oid::MACADDR8
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip<T: Encode + for<'r> Decode<'r>>(v: &T, oid: u32) -> T {
        let ty = PgType::resolve(oid);
        let mut buf = BytesMut::new();
        v.encode(&ty, &mut buf).unwrap();
        T::decode(ValueRef::new(Some(&buf), Format::Binary, &ty)).unwrap()
    }

    #[test]
    fn inet_binary_layout() {
        let net: IpNetwork = "192.168.1.5/24".parse().unwrap();
        let ty = PgType::resolve(oid::CIDR);
        let mut buf = BytesMut::new();
        net.encode(&ty, &mut buf).unwrap();
        assert_eq!(&buf[..], &[2, 24, 1, 4, 192, 168, 1, 5]);
        assert_eq!(net.network().to_string(), "192.168.1.0");
        assert_eq!(round_trip(&net, oid::INET), net);
    }

    #[test]
    fn ip_addr_rejects_networks() {
        let ty = PgType::resolve(oid::INET);
        let raw = [2, 8, 0, 4, 10, 0, 0, 0];
        let err = IpAddr::decode(ValueRef::new(Some(&raw), Format::Binary, &ty)).unwrap_err();
        assert!(err.to_string().contains("10.0.0.0/8"), "{err}");
        let raw = [2, 32, 0, 4, 10, 0, 0, 1];
        let addr = IpAddr::decode(ValueRef::new(Some(&raw), Format::Binary, &ty)).unwrap();
        assert_eq!(addr.to_string(), "10.0.0.1");
    }

    #[test]
    fn bad_binary_is_an_error() {
        let ty = PgType::resolve(oid::INET);
        for raw in [
            &[][..],
            &[2, 8, 0, 4, 1],
            &[2, 33, 0, 4, 1, 2, 3, 4],
            &[9, 8, 0, 4, 1, 2, 3, 4],
        ] {
            assert!(IpNetwork::decode(ValueRef::new(Some(raw), Format::Binary, &ty)).is_err());
        }
    }

    #[test]
    fn text_forms() {
        let ty = PgType::resolve(oid::INET);
        let v = IpNetwork::decode(ValueRef::new(Some(b"::1"), Format::Text, &ty)).unwrap();
        assert_eq!(v, IpNetwork::host("::1".parse().unwrap()));
        assert!("1.2.3.4/x".parse::<IpNetwork>().is_err());
        let mac_ty = PgType::resolve(oid::MACADDR);
        let mac = MacAddr::decode(ValueRef::new(
            Some(b"08-00-2b-01-02-03"),
            Format::Text,
            &mac_ty,
        ));
        assert_eq!(mac.unwrap(), MacAddr([8, 0, 0x2b, 1, 2, 3]));
        assert!("08:00:2b:01:02".parse::<MacAddr>().is_err());
        assert!("zz:00:2b:01:02:03".parse::<MacAddr>().is_err());
    }

    proptest! {
        #[test]
        fn ipv4_round_trip(a in any::<u32>(), p in 0u8..=32) {
            let net = IpNetwork::new(IpAddr::from(Ipv4Addr::from(a)), p).unwrap();
            prop_assert_eq!(round_trip(&net, oid::INET), net);
            prop_assert_eq!(net.to_string().parse::<IpNetwork>().unwrap(), net);
        }

        #[test]
        fn ipv6_round_trip(a in any::<u128>(), p in 0u8..=128) {
            let net = IpNetwork::new(IpAddr::from(Ipv6Addr::from(a)), p).unwrap();
            prop_assert_eq!(round_trip(&net, oid::CIDR), net);
        }

        #[test]
        fn mac_round_trip(b in any::<[u8; 8]>()) {
            let mac = MacAddr8(b);
            prop_assert_eq!(round_trip(&mac, oid::MACADDR8), mac);
            prop_assert_eq!(mac.to_string().parse::<MacAddr8>().unwrap(), mac);
        }
    }
}
