//! SIGTERM and SIGINT for the commands that run to an end (`check`, `retry`): the first one
//! sets a flag that the check reads between batches and the deliverer between alerts, so the
//! alert in flight is finished and recorded and nothing new starts; the command then exits
//! 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell reports a process
//! that a signal ended. A second signal ends the process at once, with the same code.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};

use super::error::AppError;

pub struct Stop {
    flag: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

impl Stop {
    /// Installs the handlers for the life of the process.
    pub fn install() -> Result<Stop, AppError> {
        let flag = Arc::new(AtomicBool::new(false));
        let which = Arc::new(AtomicUsize::new(0));
        let io = |source| AppError::Io {
            what: "signal handlers".into(),
            source,
        };
        for sig in [SIGINT, SIGTERM] {
            // Registered first, so it sees the flag as the previous signal left it.
            signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, flag.clone())
                .map_err(io)?;
            signal_hook::flag::register_usize(sig, which.clone(), sig as usize).map_err(io)?;
            signal_hook::flag::register(sig, flag.clone()).map_err(io)?;
        }
        Ok(Stop { flag, which })
    }

    /// The flag a signal sets.
    pub fn flag(&self) -> &Arc<AtomicBool> {
        &self.flag
    }

    /// The exit code after a signal (128 + its number), `None` when none came.
    pub fn exit_code(&self) -> Option<u8> {
        if !self.flag.load(Ordering::SeqCst) {
            return None;
        }
        let sig = self.which.load(Ordering::SeqCst);
        Some(128 + sig.min(127) as u8)
    }

    /// The signal's name, for the message.
    pub fn name(&self) -> &'static str {
        match self.which.load(Ordering::SeqCst) as i32 {
            SIGINT => "SIGINT",
            SIGTERM => "SIGTERM",
            _ => "a signal",
        }
    }
}
