//! Work orders (工单): the one engine every module dispatches staff work through — repairs
//! (报修), renovation applications (装修申请), complaint follow-ups, inspection anomalies, alarm
//! dispatch. Rules only so far (pure): the states and who may move an order between them in
//! `work_order`, response and resolution deadlines (时限) in business time in `sla`, the rota and
//! automatic assignment in `assignment`. Storage, the API and the pages follow with issue 13.

pub mod assignment;
pub mod sla;
pub mod work_order;

pub use assignment::{Candidate, Rota, Shift, choose};
pub use sla::{Calendar, Deadline, SlaState, Targets};
pub use work_order::{Action, Party, Priority, State, WorkOrderKind, next_state};
