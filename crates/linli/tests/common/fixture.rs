//! Typed builders for what tests set up through the API: each creates one thing, checks that it
//! was created and returns its id, so a test reads as its story, not as JSON plumbing.

use super::{Answer, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

impl Answer {
    /// The id of what this 201 answer created; fails the test with the body otherwise.
    pub fn created(&self) -> i64 {
        assert_eq!(self.status, StatusCode::CREATED, "{}", self.body);
        self.id()
    }

    /// Fails the test with the body unless this answer is 201 Created.
    pub fn assert_created(&self) {
        assert_eq!(self.status, StatusCode::CREATED, "{}", self.body);
    }

    /// The `id` of the answer's body.
    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("no id in {}", self.body))
    }
}

impl TestServer {
    /// A building of `floors` floors above ground, without units.
    pub async fn create_building(&self, token: &str, project: i64, name: &str, floors: i32) -> i64 {
        self.post("/api/v1/buildings", token, json!({"project_id": project, "name": name, "floors_above": floors}))
            .await
            .created()
    }

    /// A house of `gross_area` m² (a decimal text, as the API takes it).
    pub async fn create_house(&self, token: &str, building: i64, number: &str, floor: i32, gross_area: &str) -> i64 {
        let body = json!({"building_id": building, "number": number, "floor": floor, "gross_area": gross_area});
        self.post("/api/v1/houses", token, body).await.created()
    }

    /// A person with a name and a phone; other fields are left empty.
    pub async fn create_person(&self, token: &str, project: i64, name: &str, phone: &str) -> i64 {
        self.post("/api/v1/persons", token, json!({"project_id": project, "name": name, "phone": phone}))
            .await
            .created()
    }

    /// `person` owns `house` (sole owner) from `started_on`.
    pub async fn add_ownership(&self, token: &str, house: i64, person: i64, started_on: &str) {
        let path = format!("/api/v1/houses/{house}/ownerships");
        self.post(&path, token, json!({"person_id": person, "started_on": started_on})).await.assert_created();
    }

    /// A fee item from its JSON body, with one standard (`price` from `effective_from`).
    pub async fn create_fee_item(&self, token: &str, body: Value, effective_from: &str, price: &str) -> i64 {
        let item = self.post("/api/v1/fee-items", token, body).await.created();
        let path = format!("/api/v1/fee-items/{item}/standards");
        self.post(&path, token, json!({"effective_from": effective_from, "price": price})).await.assert_created();
        item
    }

    /// Charges the fee item to every house of its project.
    pub async fn assign_to_project(&self, token: &str, item: i64) {
        let path = format!("/api/v1/fee-items/{item}/assignments");
        self.post(&path, token, json!({"target": "project"})).await.assert_created();
    }
}

/// 翠湖花园: building 1栋 of 10 floors with house 301 on the third floor, the community most
/// tests start from.
pub struct Community {
    pub project: i64,
    pub building: i64,
    pub house: i64,
}

impl Community {
    /// 翠湖花园 with 1栋 and its house 301 of `gross_area` m².
    pub async fn new(s: &TestServer, token: &str, gross_area: &str) -> Self {
        Self::with_floors(s, token, 10, gross_area).await
    }

    /// The same, with a building of `floors` floors.
    pub async fn with_floors(s: &TestServer, token: &str, floors: i32, gross_area: &str) -> Self {
        Self::named(s, token, "翠湖花园", floors, gross_area).await
    }

    /// The same under another project name, for a second community in one test.
    pub async fn named(s: &TestServer, token: &str, name: &str, floors: i32, gross_area: &str) -> Self {
        let project = s.create_project(token, name).await;
        let building = s.create_building(token, project, "1栋", floors).await;
        let house = s.create_house(token, building, "301", 3, gross_area).await;
        Community { project, building, house }
    }

    /// A person of this project who owns house 301 from `started_on`.
    pub async fn owner(&self, s: &TestServer, token: &str, name: &str, phone: &str, started_on: &str) -> i64 {
        let person = s.create_person(token, self.project, name, phone).await;
        s.add_ownership(token, self.house, person, started_on).await;
        person
    }

    /// The property fee (物业费): 10.00 元/m²/月 from 2025, due on the 31st (the month's last
    /// day), 万分之五 per day late, charged to every house of the project.
    pub async fn property_fee(&self, s: &TestServer, token: &str) -> i64 {
        let body = json!({"project_id": self.project, "code": "WYF", "name": "物业费", "kind": "area",
                          "cycle": "monthly", "due_day": 31,
                          "late_fee": {"daily_rate": "0.0005", "grace_days": 0, "cap_rate": null}});
        let item = s.create_fee_item(token, body, "2025-01-01", "10.00").await;
        s.assign_to_project(token, item).await;
        item
    }
}
