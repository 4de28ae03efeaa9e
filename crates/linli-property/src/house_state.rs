//! A house's state follows who lives in it: a vacant house becomes occupied when someone moves
//! in, and an occupied one vacant when the last resident moves out. A house under renovation or
//! for rent keeps its state whoever moves: staff set those, and only staff change them.

use crate::HouseState;

/// The state a house takes with `living` residents now, or none when it keeps its own.
pub fn after_moves(state: HouseState, living: u64) -> Option<HouseState> {
    match (state, living) {
        (HouseState::Vacant, n) if n > 0 => Some(HouseState::Occupied),
        (HouseState::Occupied, 0) => Some(HouseState::Vacant),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_in_occupies_and_the_last_moving_out_vacates() {
        assert_eq!(after_moves(HouseState::Vacant, 1), Some(HouseState::Occupied));
        assert_eq!(after_moves(HouseState::Vacant, 0), None);
        assert_eq!(after_moves(HouseState::Occupied, 2), None);
        assert_eq!(after_moves(HouseState::Occupied, 0), Some(HouseState::Vacant));
    }

    #[test]
    fn states_staff_set_are_kept() {
        for s in [HouseState::UnderRenovation, HouseState::ForRent] {
            assert_eq!(after_moves(s, 0), None);
            assert_eq!(after_moves(s, 3), None);
        }
    }
}
