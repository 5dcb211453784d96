//! Value types of the resources: the open enums.
//!
//! `method`, `direction` and `status` are open sets: Ctrl Hub may add values at any time.
//! Each enum has a variant per value this crate knows, and [`Unknown`](InteractionMethod::Unknown)
//! for any other value, which is kept exactly as received and sent back unchanged.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value of an open enum that this version of the crate does not know.
///
/// It keeps the text exactly as Ctrl Hub sent it. It can only be made by parsing text, so
/// a known value is always its own variant, never an `Unknown`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as Ctrl Hub sent it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as received.
            Unknown(UnknownValue),
        }

        impl $name {
            /// Every value this version of the crate knows.
            pub const KNOWN: &'static [$name] = &[$( $name::$variant, )+];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $value, )+
                    $name::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is a value this version of the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(UnknownValue(other.to_owned())),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $value => $name::$variant, )+
                    _ => $name::Unknown(UnknownValue(value)),
                }
            }
        }

        /// Never fails: text that is not a known value becomes `Unknown`.
        impl FromStr for $name {
            type Err = Infallible;

            fn from_str(value: &str) -> Result<Self, Infallible> {
                Ok(value.into())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

// One type per open enum of the spec (`x-extensible-enum`), with its values and their
// descriptions (`x-enum-descriptions`): written once, in the spec.
crate::generated::with_open_enums!(open_enum);

/// `at` in UTC at whole seconds, as the reference writes times: serialized, it is
/// `2023-11-07T05:31:56Z`.
pub(crate) fn whole_seconds<Tz: chrono::TimeZone>(
    at: &chrono::DateTime<Tz>,
) -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    at.with_timezone(&chrono::Utc).trunc_subsecs(0)
}

#[cfg(test)]
mod tests;
