//! Command-line parameters of the harness.

use clap::{Parser, ValueEnum};

#[derive(Parser, Debug, Clone)]
#[command(
    about = "Field-scale sync load harness: khaosat against the stock automerge-repo sync server"
)]
pub struct Args {
    /// What to measure: the end-of-day burst, or the scale figures (stored documents, connected
    /// phones, startup, compaction, database size).
    #[arg(long, value_enum, default_value_t = Scenario::Burst)]
    pub scenario: Scenario,
    /// Servers to run the same workload against (`both`: khaosat, then the stock server).
    #[arg(long, value_enum, default_value_t = TargetChoice::Both)]
    pub target: TargetChoice,
    /// The network between phones and server: `lan` (loopback) or `3g` (a shaping proxy:
    /// ~1 Mbit/s each way, 150 ms RTT, 1% segment loss as retransmission stalls).
    #[arg(long, value_enum, default_value_t = Profile::Lan)]
    pub profile: Profile,
    /// Cut each phone's first burst connection once `--cut-after` bytes went from phone to
    /// server; the phone reconnects and resumes (checks nothing is lost).
    #[arg(long)]
    pub drop_mid_sync: bool,
    /// With --drop-mid-sync: bytes (HTTP upgrade included) the phone sends before the cut.
    #[arg(long, default_value_t = 8192)]
    pub cut_after: u64,
    /// Phones, one enumerator each, one village each.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=9999))]
    pub phones: u32,
    /// Village documents stored (at least --phones; the ones without a phone are only stored,
    /// with --existing households; khaosat only).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub villages: Option<u32>,
    /// Indicators added by rule before the burst (issue 16): every batch then also counts them
    /// over its whole village (khaosat only).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=50))]
    pub rule_indicators: u32,
    /// Households each phone adds offline (its village's new households of the day).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub households: u32,
    /// Edits each phone makes offline to households already in its document (a corrected
    /// phone number, a changed answer), one change each.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub edits: u32,
    /// Households already in each village document before the day (a later day of the survey).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub existing: u32,
    /// Persons aged 15+ in each household.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=50))]
    pub persons: u32,
    /// How often a phone commits an Automerge change while recording.
    #[arg(long, value_enum, default_value_t = Commits::Field)]
    pub commits: Commits,
    /// khaosat: seconds to leave the server idle after the checks before stopping it, so idle
    /// documents leave memory (compacted) and the storage is measured at rest (a minute and a
    /// quarter is enough: documents leave after a minute idle).
    #[arg(long, default_value_t = 0)]
    pub rest_secs: u64,
    /// Phones syncing at the same moment in the burst (0: all of them).
    #[arg(long, default_value_t = 0)]
    pub concurrency: u32,
    /// Phones getting ready (sign-in, fetching or uploading their document) at the same moment
    /// (0: as --concurrency). A server that struggles with many at once can be readied gently and
    /// still meet the whole burst at once.
    #[arg(long, default_value_t = 0)]
    pub prepare_concurrency: u32,
    /// Seed of the generated survey data (names, answers, ids, actor ids, loss).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The whole run must finish within this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// Added by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}

impl Args {
    pub fn villages(&self) -> u32 {
        self.villages.unwrap_or(self.phones).max(self.phones)
    }

    /// Phones getting ready at once.
    pub fn prepare_concurrency(&self) -> usize {
        match self.prepare_concurrency {
            0 => self.concurrency(),
            c => c.min(self.phones) as usize,
        }
    }

    /// Phones syncing at once in the burst.
    pub fn concurrency(&self) -> usize {
        match self.concurrency {
            0 => self.phones as usize,
            c => c.min(self.phones) as usize,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    Burst,
    Scale,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetChoice {
    Ours,
    Stock,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    Lan,
    #[value(name = "3g")]
    ThreeG,
}

/// How often the phone commits an Automerge change while recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Commits {
    /// One change per answer, as the PWA's `survey/write.ts` does (`handle.change` per edit).
    Field,
    /// One change per household, per person and per visit (a client that saves whole forms).
    Form,
}

impl Commits {
    pub fn unit(self) -> &'static str {
        match self {
            Commits::Field => "answer",
            Commits::Form => "form",
        }
    }
}
