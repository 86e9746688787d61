//! Saved views of the activities page (the handlers are the shared ones of `views`):
//! the toolbar's search, type, status, "only mine" (saved as its owner), the record it
//! is narrowed to and the sort, kept in the API's list grammar like every view
//! (`/api/v1/saved_views`, kind `activities`), with the parts of a line it shows. The
//! period (today, this week, overdue) is not saved: it is relative to the day the view
//! is opened, so it is chosen on top of the view.

use axum::Router;
use axum::response::Response;

use cartera_core::Id;

use super::activities::render_list;
use super::activity_query::{ListQuery, RECORDS};
use super::lists::SaveForm;
use super::render::Me;
use super::views::{ViewedList, routes_of};
use crate::state::AppState;

/// The activities page, as a list with saved views.
pub struct Activities;

pub fn routes() -> Router<AppState> {
    routes_of::<Activities>()
}

impl ViewedList for Activities {
    type Toolbar = ListQuery;

    fn plural() -> &'static str {
        "activities"
    }

    fn take(q: &mut ListQuery, key: &str, value: String) -> bool {
        match key {
            "q" => q.q = value,
            "kind" => q.kind = value,
            "status" => q.status = value,
            "mine" => q.mine = value,
            "owner" => q.owner = value,
            "sort" => q.sort = value,
            // The period is kept for the page drawn again, not saved.
            "when" => {
                q.when = value;
                return false;
            }
            other if RECORDS.iter().any(|(p, _)| *p == other) => q.set_record(other, value),
            _ => return false,
        }
        true
    }

    fn saved_query(q: &ListQuery, me: Id) -> String {
        q.saved_query(me)
    }

    fn set_view(q: &mut ListQuery, id: Id) {
        q.view = id.to_string();
    }

    fn render<'a>(
        s: &'a AppState,
        me: &'a Me,
        q: ListQuery,
        save: SaveForm,
    ) -> impl Future<Output = Response> + Send + 'a {
        render_list(s, me, q, Some(save))
    }
}
