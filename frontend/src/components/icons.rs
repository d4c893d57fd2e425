//! The few line icons the dashboard uses (24x24, stroked with the text color).

use leptos::prelude::*;

/// A named icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// A house: the home page.
    Home,
    /// A speech bubble: the inbox.
    Inbox,
    /// A receipt: the orders.
    Orders,
    /// A tag: the catalog.
    Products,
    /// A gear: settings.
    Settings,
    /// A pulse line: the activity log.
    Activity,
    /// A clock: follow-ups.
    FollowUps,
    /// Three lines: open the menu.
    Menu,
    /// A plus sign.
    Plus,
    /// A magnifier.
    Search,
    /// A picture.
    Image,
    /// An arrow pointing left.
    Back,
    /// A circle struck through: blocked customers.
    Blocked,
}

impl Icon {
    /// The SVG path data.
    fn path(self) -> &'static str {
        match self {
            Icon::Home => "M3 11 12 4l9 7M5 10v10h5v-6h4v6h5V10",
            Icon::Inbox => {
                "M21 12a8.5 8.5 0 0 1-12.4 7.6L3 21l1.4-5.2A8.5 8.5 0 1 1 21 12ZM8.5 10.5h7M8.5 14h4.5"
            }
            Icon::Orders => "M6 3h12v18l-3-2-3 2-3-2-3 2V3ZM9 8h6M9 12h6M9 16h3",
            Icon::Products => {
                "M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8ZM7.5 7.5h.01"
            }
            Icon::Settings => {
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-3a7.4 7.4 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7.4 7.4 0 0 0-2-1.2L14.5 3h-5l-.4 2.6a7.4 7.4 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7.4 7.4 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7.4 7.4 0 0 0 2 1.2l.4 2.6h5l.4-2.6a7.4 7.4 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2Z"
            }
            Icon::Activity => "M3 12h4l3 8 4-16 3 8h4",
            Icon::FollowUps => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM12 7v5l3 2",
            Icon::Menu => "M4 6h16M4 12h16M4 18h16",
            Icon::Plus => "M12 5v14M5 12h14",
            Icon::Search => "m21 21-4.3-4.3M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14Z",
            Icon::Image => "M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9h.01",
            Icon::Back => "M15 18l-6-6 6-6",
            Icon::Blocked => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM5.6 5.6l12.8 12.8",
        }
    }

    /// The icon as inline SVG, hidden from screen readers (the text beside it names it).
    pub fn view(self) -> impl IntoView {
        view! {
            <svg
                class="icon"
                viewBox="0 0 24 24"
                fill="none"
                stroke="currentColor"
                stroke-width="1.8"
                stroke-linecap="round"
                stroke-linejoin="round"
                aria-hidden="true"
            >
                <path d=self.path()></path>
            </svg>
        }
    }
}
