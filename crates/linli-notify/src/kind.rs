use serde::{Deserialize, Serialize};

use crate::ChannelKind;

/// What a message is about; each kind has its templates and default channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    BillIssued,
    BillOverdue,
    PaymentReceived,
    WorkOrderAssigned,
    VisitorConfirm,
    AlarmRaised,
    NoticePublished,
    EventPublished,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::BillIssued,
        Kind::BillOverdue,
        Kind::PaymentReceived,
        Kind::WorkOrderAssigned,
        Kind::VisitorConfirm,
        Kind::AlarmRaised,
        Kind::NoticePublished,
        Kind::EventPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BillIssued => "bill_issued",
            Kind::BillOverdue => "bill_overdue",
            Kind::PaymentReceived => "payment_received",
            Kind::WorkOrderAssigned => "work_order_assigned",
            Kind::VisitorConfirm => "visitor_confirm",
            Kind::AlarmRaised => "alarm_raised",
            Kind::NoticePublished => "notice_published",
            Kind::EventPublished => "event_published",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Urgent messages ignore quiet hours: someone is waiting at the gate, an alarm is live.
    pub fn urgent(self) -> bool {
        matches!(self, Kind::VisitorConfirm | Kind::AlarmRaised | Kind::WorkOrderAssigned)
    }

    /// Channels used until the recipient chooses their own.
    pub fn default_channels(self) -> &'static [ChannelKind] {
        use ChannelKind::{Email, InApp, Sms};
        match self {
            Kind::BillIssued | Kind::BillOverdue => &[Sms, InApp, Email],
            Kind::PaymentReceived | Kind::NoticePublished => &[InApp, Email],
            Kind::WorkOrderAssigned | Kind::VisitorConfirm | Kind::AlarmRaised => &[InApp, Sms],
            Kind::EventPublished => &[InApp],
        }
    }
}
