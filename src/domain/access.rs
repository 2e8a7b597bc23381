//! Who may change what: the one ownership rule of both doors.

/// The acting user does not own what they tried to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this belongs to another account")]
pub struct NotOwner;

/// Only an account's own user writes what it owns; ids in an address never decide.
pub fn require_owner(actor_id: i64, owner_id: i64) -> Result<(), NotOwner> {
    if actor_id == owner_id {
        Ok(())
    } else {
        Err(NotOwner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_passes() {
        assert_eq!(require_owner(3, 3), Ok(()));
        assert_eq!(require_owner(3, 4), Err(NotOwner));
    }
}
