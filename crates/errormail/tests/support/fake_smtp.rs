//! An in-process fake SMTP peer for fault tests: speaks just enough SMTP (greeting, EHLO/HELO,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT) and misbehaves on cue, one scripted behaviour per connection.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// When a scripted reply is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Instead of the `220` greeting.
    Greeting,
    /// To `MAIL FROM`.
    Mail,
    /// To `RCPT TO`.
    Rcpt,
    /// After the message's final `.`.
    DataEnd,
}

/// What the peer does on one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// A well-behaved server: the message is recorded.
    Accept,
    /// Accepts the TCP connection and never says a word.
    NeverGreet,
    /// Greets, accepts the envelope, answers `354` to DATA, then never answers again.
    StallInData,
    /// Closes the connection after the first line of the message.
    DisconnectInData,
    /// Answers `code` at `stage` (and accepts everything else).
    Reply(Stage, u16),
}

#[derive(Default)]
struct State {
    script: VecDeque<Behaviour>,
    default: Option<Behaviour>,
    connections: usize,
    messages: Vec<Vec<u8>>,
}

/// A running fake peer on 127.0.0.1; stops when dropped.
pub struct FakeSmtp {
    port: u16,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeSmtp {
    /// Connections take the behaviours of `script` in order, then `then`.
    pub async fn start(script: Vec<Behaviour>, then: Behaviour) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            default: Some(then),
            ..State::default()
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let behaviour = {
                    let mut s = shared.lock().unwrap();
                    s.connections += 1;
                    let default = s.default.unwrap_or(Behaviour::Accept);
                    s.script.pop_front().unwrap_or(default)
                };
                tokio::spawn(serve(stream, behaviour, shared.clone()));
            }
        });
        FakeSmtp { port, state, task }
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Changes what connections get once the script is used up ("the peer recovers").
    pub fn set_default(&self, behaviour: Behaviour) {
        self.state.lock().unwrap().default = Some(behaviour);
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// The messages accepted so far (DATA content, dot-unstuffed, up to the final `.` line).
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.state.lock().unwrap().messages.clone()
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port on 127.0.0.1 that nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn serve(stream: TcpStream, behaviour: Behaviour, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = String::new();
    let reply_at = |stage: Stage| match behaviour {
        Behaviour::Reply(s, code) if s == stage => Some(code),
        _ => None,
    };
    if behaviour == Behaviour::NeverGreet {
        drain(&mut read).await;
        return;
    }
    if let Some(code) = reply_at(Stage::Greeting) {
        let _ = write
            .write_all(format!("{code} fake busy\r\n").as_bytes())
            .await;
        drain(&mut read).await;
        return;
    }
    if write.write_all(b"220 fake ESMTP\r\n").await.is_err() {
        return;
    }
    loop {
        line.clear();
        match read.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-fake\r\n250 8BITMIME\r\n".to_owned(),
            "HELO" | "RSET" | "NOOP" => "250 ok\r\n".to_owned(),
            "MAIL" => {
                reply_at(Stage::Mail).map_or("250 ok\r\n".to_owned(), |c| format!("{c} no\r\n"))
            }
            "RCPT" => {
                reply_at(Stage::Rcpt).map_or("250 ok\r\n".to_owned(), |c| format!("{c} no\r\n"))
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                match behaviour {
                    Behaviour::StallInData => {
                        drain(&mut read).await;
                        return;
                    }
                    Behaviour::DisconnectInData => {
                        line.clear();
                        let _ = read.read_line(&mut line).await;
                        return;
                    }
                    _ => {}
                }
                let Some(message) = read_message(&mut read).await else {
                    return;
                };
                match reply_at(Stage::DataEnd) {
                    Some(code) => format!("{code} no\r\n"),
                    None => {
                        state.lock().unwrap().messages.push(message);
                        "250 queued\r\n".to_owned()
                    }
                }
            }
            _ => "500 unknown command\r\n".to_owned(),
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_message(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(message);
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        message.extend_from_slice(unstuffed);
    }
}

async fn drain(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) {
    let mut buf = Vec::new();
    while read.read_until(b'\n', &mut buf).await.is_ok_and(|n| n > 0) {
        buf.clear();
    }
}
