//! What a work order is and how it moves (pure). States: submitted → accepted → assigned → in
//! progress (⇄ paused) → completed → confirmed → closed, plus cancelled, and reopened back to
//! assigned. Each action is allowed from some states to some parties; the service checks the
//! party against the order (the requester, the assignee), this module the rule.

use linli_core::{Code, Error, Result, text_enum};

text_enum! {
    /// What the work is; each kind is created by its own module through the engine.
    WorkOrderKind {
        /// 报修: a resident's or a staff member's repair request.
        Repair = "repair",
        /// 装修申请: a renovation application, reviewed, inspected and accepted.
        Renovation = "renovation",
        /// A complaint (投诉) followed up as work.
        ComplaintFollowUp = "complaint_follow_up",
        /// An inspection item out of range or answered "no".
        InspectionAnomaly = "inspection_anomaly",
        /// An alarm someone must go to.
        AlarmDispatch = "alarm_dispatch",
        Other = "other",
    }
}

text_enum! {
    /// How soon: urgent runs on the clock day and night, the others in business hours.
    #[derive(PartialOrd, Ord)]
    Priority {
        Urgent = "urgent",
        High = "high",
        Normal = "normal",
        Low = "low",
    }
}

text_enum! {
    State {
        Submitted = "submitted",
        /// Seen and taken on by the service desk, not yet given to anyone.
        Accepted = "accepted",
        Assigned = "assigned",
        InProgress = "in_progress",
        Paused = "paused",
        Completed = "completed",
        /// The requester (or the desk on their word) agreed it is done.
        Confirmed = "confirmed",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    Action {
        Accept = "accept",
        /// Given to a technician by the dispatcher or by automatic assignment.
        Assign = "assign",
        /// 抢单: a technician takes an open order for themself.
        Grab = "grab",
        /// Handed to another technician, with a reason.
        Transfer = "transfer",
        Start = "start",
        Pause = "pause",
        Resume = "resume",
        Complete = "complete",
        Confirm = "confirm",
        Close = "close",
        Cancel = "cancel",
        /// Not done after all: back to its technician, with a reason.
        Reopen = "reopen",
    }
}

text_enum! {
    /// Who acts, as the order sees them.
    Party {
        /// Who asked for the work (a resident, or staff for a common area).
        Requester = "requester",
        /// The service desk or a dispatcher of the project.
        Desk = "desk",
        /// The technician the order is assigned to.
        Assignee = "assignee",
        /// Another technician of the project (who may grab an open order).
        Technician = "technician",
        /// Linli itself: automatic assignment, closing confirmed orders after a while.
        System = "system",
    }
}

use Action as A;
use Party as P;
use State as S;

/// From which states an action leads where, and who may take it.
fn rule(action: Action) -> (&'static [State], State, &'static [Party]) {
    match action {
        A::Accept => (&[S::Submitted], S::Accepted, &[P::Desk]),
        A::Assign => (&[S::Submitted, S::Accepted], S::Assigned, &[P::Desk, P::System]),
        A::Grab => (&[S::Accepted], S::Assigned, &[P::Technician]),
        A::Transfer => (&[S::Assigned, S::InProgress, S::Paused], S::Assigned, &[P::Desk, P::Assignee]),
        A::Start => (&[S::Assigned], S::InProgress, &[P::Assignee]),
        A::Pause => (&[S::InProgress], S::Paused, &[P::Assignee]),
        A::Resume => (&[S::Paused], S::InProgress, &[P::Assignee]),
        A::Complete => (&[S::InProgress], S::Completed, &[P::Assignee]),
        A::Confirm => (&[S::Completed], S::Confirmed, &[P::Requester, P::Desk]),
        A::Close => (&[S::Completed, S::Confirmed], S::Closed, &[P::Desk, P::System]),
        A::Cancel => (&[S::Submitted, S::Accepted, S::Assigned, S::Paused], S::Cancelled, &[P::Requester, P::Desk]),
        A::Reopen => (&[S::Completed, S::Confirmed], S::Assigned, &[P::Requester, P::Desk]),
    }
}

/// The state `action` by `party` leads to from `from`: 403 `forbidden` when the party may never
/// take it, 409 `transition_not_allowed` when the order's state does not allow it (completing a
/// cancelled order). A requester cancels only until someone is assigned.
pub fn next_state(from: State, action: Action, party: Party) -> Result<State> {
    let (froms, to, parties) = rule(action);
    if !parties.contains(&party) {
        return Err(Error::Forbidden(Code::Forbidden));
    }
    if !froms.contains(&from) {
        return Err(Error::Conflict(Code::TransitionNotAllowed));
    }
    if action == A::Cancel && party == P::Requester && !matches!(from, S::Submitted | S::Accepted) {
        return Err(Error::Conflict(Code::TransitionNotAllowed));
    }
    Ok(to)
}

/// Actions that need a written reason (kept with the order's timeline).
pub fn needs_reason(action: Action) -> bool {
    matches!(action, A::Transfer | A::Pause | A::Cancel | A::Reopen)
}

/// No action leads out of these.
pub fn is_final(state: State) -> bool {
    matches!(state, S::Closed | S::Cancelled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<State>) -> Option<Code> {
        r.err().and_then(|e| match e {
            Error::Conflict(c) | Error::Forbidden(c) => Some(c),
            _ => None,
        })
    }

    #[test]
    fn a_repair_goes_from_submitted_to_closed() {
        let path = [
            (A::Accept, P::Desk, S::Accepted),
            (A::Assign, P::System, S::Assigned),
            (A::Start, P::Assignee, S::InProgress),
            (A::Pause, P::Assignee, S::Paused),
            (A::Resume, P::Assignee, S::InProgress),
            (A::Complete, P::Assignee, S::Completed),
            (A::Confirm, P::Requester, S::Confirmed),
            (A::Close, P::System, S::Closed),
        ];
        let mut state = S::Submitted;
        for (action, party, want) in path {
            state = next_state(state, action, party).unwrap();
            assert_eq!(state, want, "{action:?} by {party:?}");
        }
        assert!(is_final(state));
    }

    #[test]
    fn completing_a_cancelled_order_is_a_conflict_and_a_resident_cannot_do_a_technicians_work() {
        assert_eq!(code(next_state(S::Cancelled, A::Complete, P::Assignee)), Some(Code::TransitionNotAllowed));
        assert_eq!(code(next_state(S::Closed, A::Reopen, P::Desk)), Some(Code::TransitionNotAllowed));
        assert_eq!(code(next_state(S::InProgress, A::Complete, P::Requester)), Some(Code::Forbidden));
        assert_eq!(code(next_state(S::Assigned, A::Start, P::Technician)), Some(Code::Forbidden));
    }

    #[test]
    fn every_state_but_the_final_ones_has_a_way_on() {
        for &from in State::ALL {
            let onward = Action::ALL.iter().any(|&a| Party::ALL.iter().any(|&p| next_state(from, a, p).is_ok()));
            assert_eq!(onward, !is_final(from), "{from:?}");
        }
    }

    #[test]
    fn a_requester_cancels_only_until_someone_is_assigned_the_desk_until_work_starts() {
        assert_eq!(next_state(S::Accepted, A::Cancel, P::Requester).unwrap(), S::Cancelled);
        assert_eq!(code(next_state(S::Assigned, A::Cancel, P::Requester)), Some(Code::TransitionNotAllowed));
        assert_eq!(next_state(S::Assigned, A::Cancel, P::Desk).unwrap(), S::Cancelled);
        assert_eq!(code(next_state(S::InProgress, A::Cancel, P::Desk)), Some(Code::TransitionNotAllowed));
    }

    #[test]
    fn an_open_order_is_grabbed_once_and_a_done_one_reopens_to_its_technician() {
        assert_eq!(next_state(S::Accepted, A::Grab, P::Technician).unwrap(), S::Assigned);
        assert_eq!(code(next_state(S::Assigned, A::Grab, P::Technician)), Some(Code::TransitionNotAllowed));
        assert_eq!(next_state(S::Completed, A::Reopen, P::Requester).unwrap(), S::Assigned);
        assert!(needs_reason(A::Reopen) && needs_reason(A::Transfer) && !needs_reason(A::Complete));
    }
}
