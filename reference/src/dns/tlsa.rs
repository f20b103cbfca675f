//! TLSA certificate associations (RFC 6698 §2.1, used for SMTP by RFC 7672 §3.1) matched
//! against the chain a server presents. Usages 3 (DANE-EE) and 1 (PKIX-EE) match the
//! end-entity certificate; 2 (DANE-TA) and 0 (PKIX-TA) any certificate of the chain.
//! Selector 0 is the whole certificate, 1 its SubjectPublicKeyInfo; matching type 0 is the
//! data itself, 1 its SHA-256 and 2 its SHA-512. The PKIX path validation usages 0 and 1 also
//! require is not done here: this is the association match only.

use ring::digest;

/// One TLSA record's association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    /// Certificate usage (0 to 3).
    pub usage: u8,
    /// Selector (0 whole certificate, 1 SubjectPublicKeyInfo).
    pub selector: u8,
    /// Matching type (0 exact, 1 SHA-256, 2 SHA-512).
    pub matching: u8,
    /// The association data.
    pub data: Vec<u8>,
}

impl std::fmt::Display for Association {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {} ", self.usage, self.selector, self.matching)?;
        for byte in &self.data {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

/// The SubjectPublicKeyInfo of a DER certificate, as it appears in it.
pub fn spki_of(certificate: &[u8]) -> Option<Vec<u8>> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, parsed) = X509Certificate::from_der(certificate).ok()?;
    Some(parsed.tbs_certificate.subject_pki.raw.to_vec())
}

/// The association data a record with this selector and matching type would carry for a
/// certificate (`None` for unknown values or an unparsable certificate).
pub fn association_data(certificate: &[u8], selector: u8, matching: u8) -> Option<Vec<u8>> {
    let selected = match selector {
        0 => certificate.to_vec(),
        1 => spki_of(certificate)?,
        _ => return None,
    };
    match matching {
        0 => Some(selected),
        1 => Some(digest::digest(&digest::SHA256, &selected).as_ref().to_vec()),
        2 => Some(digest::digest(&digest::SHA512, &selected).as_ref().to_vec()),
        _ => None,
    }
}

impl Association {
    /// Whether this association matches the chain (end-entity certificate first, DER).
    pub fn matches(&self, chain: &[Vec<u8>]) -> bool {
        let candidates: &[Vec<u8>] = match self.usage {
            1 | 3 => chain.get(..1).unwrap_or_default(),
            0 | 2 => chain,
            _ => &[],
        };
        candidates.iter().any(|certificate| {
            association_data(certificate, self.selector, self.matching)
                .is_some_and(|data| data == self.data)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate() -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["mail.example.test".to_string()]).unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn every_selector_and_matching_type_matches_its_own_certificate() {
        let chain = vec![certificate()];
        for usage in [3, 2] {
            for selector in [0, 1] {
                for matching in [0, 1, 2] {
                    let data = association_data(&chain[0], selector, matching).unwrap();
                    let association = Association {
                        usage,
                        selector,
                        matching,
                        data,
                    };
                    assert!(association.matches(&chain), "{association}");
                }
            }
        }
    }

    #[test]
    fn another_certificate_does_not_match() {
        let chain = vec![certificate()];
        let other = certificate();
        let data = association_data(&other, 1, 1).unwrap();
        let association = Association {
            usage: 3,
            selector: 1,
            matching: 1,
            data,
        };
        assert!(!association.matches(&chain));
        // SHA-256 over the SPKI is 32 bytes, SHA-512 64.
        assert_eq!(association_data(&other, 1, 1).unwrap().len(), 32);
        assert_eq!(association_data(&other, 0, 2).unwrap().len(), 64);
        assert_eq!(association_data(&other, 2, 1), None);
        let unknown = Association {
            usage: 7,
            selector: 1,
            matching: 1,
            data: vec![],
        };
        assert!(!unknown.matches(&chain));
    }

    /// RFC 6698 §2.3's presentation example: `0 0 1 d2abde24...` names usage 0, selector 0,
    /// SHA-256, and is shown back the same way.
    #[test]
    fn associations_display_in_presentation_format() {
        let association = Association {
            usage: 3,
            selector: 1,
            matching: 1,
            data: vec![0xd2, 0xab],
        };
        assert_eq!(association.to_string(), "3 1 1 d2ab");
    }
}
