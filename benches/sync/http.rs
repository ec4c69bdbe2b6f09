//! khaosat's HTTP API as a phone uses it: sign in, list its documents.

use serde_json::{json, Value as Json};

#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
}

impl Api {
    pub async fn send(&self, what: &str, req: reqwest::RequestBuilder) -> Result<Json, String> {
        let resp = req.send().await.map_err(|e| format!("{what}: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("{what}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{what}: HTTP {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{what}: answer is not JSON ({e}): {text}"))
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Json) -> Result<Json, String> {
        let mut req = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(&format!("POST {path}"), req).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Result<Json, String> {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(&format!("GET {path}"), req).await
    }

    /// The writer's held-time totals the server reports on `/readyz`: (commits, total ms,
    /// longest ms).
    pub async fn writer_held(&self) -> Result<(f64, f64, f64), String> {
        let req = self.client.get(format!("{}/readyz", self.base));
        let answer = self.send("GET /readyz", req).await?;
        let w = &answer["writer"];
        let field = |k: &str| {
            w[k].as_f64()
                .ok_or_else(|| format!("/readyz: no writer.{k} in {answer}"))
        };
        Ok((
            field("commits")?,
            field("held_ms_total")?,
            field("held_ms_max")?,
        ))
    }

    /// Signs in as a device and returns the access token.
    pub async fn login(&self, username: &str, device_id: &str) -> Result<String, String> {
        let body = json!({"username": username, "password": khaosat::demo::DEMO_PASSWORD, "device_id": device_id});
        let answer = self.post("/api/v1/auth/login", None, body).await?;
        answer["access_token"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| format!("login {username}: no access_token in {answer}"))
    }
}
