//! Real peers started for the tests on 127.0.0.1 and stopped after: the
//! OpenID Connect provider (npm `oidc-provider`), a forging provider that
//! issues deliberately bad ID tokens (see `end2end/oidc/forger.mjs`), and the
//! notification inbox (`end2end/peers/inbox.mjs`: SMTP, Web Push, SMS).

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A node process that printed one JSON line when it was ready.
pub struct NodePeer {
    child: Child,
    pub ready: serde_json::Value,
}

fn end2end_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end")
}

impl NodePeer {
    pub fn start(script: &str, env: &[(&str, &str)]) -> NodePeer {
        let dir = end2end_dir();
        assert!(
            dir.join("node_modules/oidc-provider").exists()
                && dir.join("node_modules/smtp-server").exists()
                && dir.join("node_modules/http_ece").exists()
                && dir.join("node_modules/azurite").exists(),
            "end2end/node_modules is missing: run `cargo xtask setup` (npm ci in end2end/)"
        );
        let mut command = Command::new("node");
        command
            .arg(dir.join(script))
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("node starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the peer prints its address");
        let ready = serde_json::from_str(&line).expect("the peer's first line is JSON");
        // Keep reading: a closed pipe would kill the peer at its next log line.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        NodePeer { child, ready }
    }

    pub fn field(&self, name: &str) -> String {
        self.ready[name]
            .as_str()
            .expect("a string field")
            .to_owned()
    }
}

impl Drop for NodePeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The forging provider's modes (see `forger.mjs`).
pub const FORGED_MODES: &[&str] = &[
    "unknown-key",
    "wrong-aud",
    "expired",
    "wrong-nonce",
    "alg-none",
];
