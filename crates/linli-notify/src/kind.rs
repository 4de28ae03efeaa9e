use crate::DeliveryChannel;

linli_core::text_enum! {
    /// What a message is about; each kind has its templates and default channels.
    Kind {
        BillIssued = "bill_issued",
        BillOverdue = "bill_overdue",
        PaymentReceived = "payment_received",
        WorkOrderAssigned = "work_order_assigned",
        VisitorConfirm = "visitor_confirm",
        AlarmRaised = "alarm_raised",
        NoticePublished = "notice_published",
        EventPublished = "event_published",
    }
}

impl Kind {
    /// Urgent messages ignore quiet hours: someone is waiting at the gate, an alarm is live.
    pub fn urgent(self) -> bool {
        matches!(self, Kind::VisitorConfirm | Kind::AlarmRaised | Kind::WorkOrderAssigned)
    }

    /// Channels used until the recipient chooses their own.
    pub fn default_channels(self) -> &'static [DeliveryChannel] {
        use DeliveryChannel::{Email, InApp, Sms};
        match self {
            Kind::BillIssued | Kind::BillOverdue => &[Sms, InApp, Email],
            Kind::PaymentReceived | Kind::NoticePublished => &[InApp, Email],
            Kind::WorkOrderAssigned | Kind::VisitorConfirm | Kind::AlarmRaised => &[InApp, Sms],
            Kind::EventPublished => &[InApp],
        }
    }
}
