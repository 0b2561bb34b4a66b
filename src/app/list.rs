//! A table's state: its rows, what is visible after the filter and sort, the selection and the scroll offset, and its load state.

use super::rows::{Row, RowFilter};
use crate::aws::{ApiError, Millis};
use crate::protocol::Progress;

/// Where a view's data stands. Loading, loaded, stale and failed are all drawn on screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadState {
    /// A refresh is under way.
    pub loading: bool,
    pub progress: Progress,
    /// When the last refresh completed.
    pub loaded_at: Option<Millis>,
    /// The last refresh failed: data on screen (if any) is stale.
    pub error: Option<ApiError>,
    /// A transient failure the worker is retrying right now (throttling, network).
    pub retrying: Option<(ApiError, u32)>,
}

impl LoadState {
    pub fn is_stale(&self) -> bool {
        self.error.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

/// A table of resources with filtering, sorting and a selection that survives refreshes.
#[derive(Debug, Clone)]
pub struct ListView<R> {
    pub rows: Vec<R>,
    /// Rows of a refresh in progress; they replace `rows` when it completes, so the table never flickers.
    pub incoming: Vec<R>,
    /// `rows` are being filled by the first load: new batches go straight on screen.
    pub filling: bool,
    pub load: LoadState,
    /// Indices into `rows`, filtered and sorted.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row drawn.
    pub offset: usize,
    pub filter: String,
    pub sort: Sort,
    /// Columns shown, as indices into `R::COLUMNS`.
    pub columns: Vec<usize>,
}

impl<R: Row> ListView<R> {
    pub fn new() -> Self {
        ListView {
            rows: Vec::new(),
            incoming: Vec::new(),
            filling: true,
            load: LoadState::default(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            sort: Sort {
                column: R::DEFAULT_SORT,
                descending: false,
            },
            columns: (0..R::COLUMNS.len()).collect(),
        }
    }

    /// Why the filter typed cannot apply (an unknown `column:`), to be said where the rows would be.
    pub fn filter_problem(&self) -> Option<String> {
        RowFilter::parse::<R>(&self.filter).err()
    }

    pub fn without_column(mut self, column: usize) -> Self {
        self.columns.retain(|c| *c != column);
        self
    }

    pub fn selected_row(&self) -> Option<&R> {
        self.visible
            .get(self.selected)
            .and_then(|i| self.rows.get(*i))
    }

    pub fn refresh_started(&mut self) {
        self.load.loading = true;
        self.load.progress = Progress::default();
        self.incoming.clear();
    }

    pub fn add_batch(&mut self, batch: Vec<R>, progress: Progress, now: Millis) {
        self.load.progress = progress;
        self.load.retrying = None;
        if self.filling {
            self.rows.extend(batch);
            // Batches arrive in any order: a selection still on the top row stays on the top row,
            // rather than following whichever row happened to arrive first.
            let keep = if self.selected == 0 {
                None
            } else {
                self.selected_key()
            };
            self.recompute_keeping(now, keep);
        } else {
            self.incoming.extend(batch);
        }
    }

    pub fn refresh_done(&mut self, at: Millis, now: Millis) {
        let selected_key = self.selected_key();
        if !self.filling {
            self.rows = std::mem::take(&mut self.incoming);
            self.visible.clear();
        }
        self.filling = false;
        self.load.loading = false;
        self.load.loaded_at = Some(at);
        self.load.error = None;
        self.load.retrying = None;
        self.recompute_keeping(now, selected_key);
    }

    pub fn refresh_failed(&mut self, error: ApiError) {
        // A failed first load keeps what arrived; a failed refresh keeps the last complete data.
        self.incoming.clear();
        self.filling = self.rows.is_empty();
        self.load.loading = false;
        self.load.retrying = None;
        self.load.error = Some(error);
    }

    /// Re-filters and re-sorts, keeping the selection on the same resource when it is still there.
    pub fn recompute(&mut self, now: Millis) {
        let selected_key = self.selected_key();
        self.recompute_keeping(now, selected_key);
    }

    fn selected_key(&self) -> Option<String> {
        self.selected_row().map(|r| r.key().to_owned())
    }

    fn recompute_keeping(&mut self, now: Millis, selected_key: Option<String>) {
        // A filter naming no column here matches nothing; the table says why (`filter_problem`).
        let filter = RowFilter::parse::<R>(&self.filter).ok();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| filter.as_ref().is_some_and(|f| f.matches(*row, now)))
            .map(|(i, _)| i)
            .collect();
        let Sort { column, descending } = self.sort;
        let rows = &self.rows;
        // Ties are broken by the resource's identity, so the order is stable across refreshes.
        let order = |i: usize| rows.get(i).map(|r| (r.sort_key(column), r.key()));
        self.visible.sort_by(|&a, &b| {
            let ord = order(a).cmp(&order(b));
            if descending { ord.reverse() } else { ord }
        });
        if let Some(key) = selected_key
            && let Some(pos) = self
                .visible
                .iter()
                .position(|&i| rows.get(i).is_some_and(|r| r.key() == key))
        {
            self.selected = pos;
        }
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    /// Moves the selection by `delta` rows (clamped) and scrolls so that it stays in a viewport of `height`.
    pub fn move_selection(&mut self, delta: isize, height: usize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
        self.scroll_into_view(height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

impl<R: Row> Default for ListView<R> {
    fn default() -> Self {
        Self::new()
    }
}
