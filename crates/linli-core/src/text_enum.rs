//! `text_enum!`: an enum stored and sent as snake_case text, with `ALL`, `as_str` and `parse`.

/// Declares a text enum. The crate using it needs `serde` and `utoipa` as dependencies.
#[macro_export]
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s,)* } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|k| k.as_str() == s) }
        }
    };
}
