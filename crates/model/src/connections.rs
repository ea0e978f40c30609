//! Where a connected Instagram account stands.

use serde::{Deserialize, Serialize};

/// A connection's state. The database stores `active`, `needs_reconnect` and `disconnected`;
/// `expiring_soon` is an active connection whose token ends within days (said, not stored).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Active,
    ExpiringSoon,
    /// Instagram refused the token (a 190): nothing works until the creator reconnects.
    NeedsReconnect,
    Disconnected,
}

impl ConnectionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Active => "active",
            ConnectionState::ExpiringSoon => "expiring_soon",
            ConnectionState::NeedsReconnect => "needs_reconnect",
            ConnectionState::Disconnected => "disconnected",
        }
    }

    /// A stored state; None for anything else (`expiring_soon` is never stored).
    pub fn parse_stored(s: &str) -> Option<ConnectionState> {
        [ConnectionState::Active, ConnectionState::NeedsReconnect, ConnectionState::Disconnected].into_iter().find(|k| k.as_str() == s)
    }

    /// Whether Graph API calls can be made with the account.
    pub fn is_usable(self) -> bool {
        matches!(self, ConnectionState::Active | ConnectionState::ExpiringSoon)
    }
}

impl TryFrom<String> for ConnectionState {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        ConnectionState::parse_stored(&s).ok_or_else(|| format!("unknown connection state `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_states_round_trip_and_others_are_refused() {
        for s in [ConnectionState::Active, ConnectionState::NeedsReconnect, ConnectionState::Disconnected] {
            assert_eq!(ConnectionState::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(ConnectionState::try_from("expiring_soon".to_string()).is_err(), "never stored");
        assert!(ConnectionState::try_from("Active".to_string()).is_err());
        assert_eq!(serde_json::to_string(&ConnectionState::NeedsReconnect).unwrap(), "\"needs_reconnect\"");
    }
}
