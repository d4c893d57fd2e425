//! The tool definitions sent to the model (names, descriptions, input schemas); the
//! server side of each is in [`super`].

use serde_json::json;

use crate::anthropic::Tool;

/// The tool definitions sent to the model.
pub fn definitions() -> Vec<Tool> {
    vec![
        Tool {
            name: "search_products".into(),
            description: "Search this business's catalog by words in the name or description, color and price range. Returns each product's id, price, discounted price, stock and colors. Use it before quoting anything.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "Words the customer used, e.g. \"red dress\""},
                    "color": {"type": "string"},
                    "min_price": {"type": "number", "description": "In major units of the shop's currency"},
                    "max_price": {"type": "number", "description": "In major units of the shop's currency"}
                }
            }),
        },
        Tool {
            name: "quote_price".into(),
            description: "The current unit price (agreed in this chat, else the discounted price) and the total for a quantity, checking stock and color.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "product_id": {"type": "integer"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "color": {"type": "string"}
                },
                "required": ["product_id"]
            }),
        },
        Tool {
            name: "make_counter_offer".into(),
            description: "Call whenever the customer proposes a price. Returns the decision: accept (their price), counter (our new price), final (our best price), needs_owner_approval (say you will check with the shop; name no price) or awaiting_owner (still checking). Answer with exactly that price.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "product_id": {"type": "integer"},
                    "customer_offer": {"type": "number", "description": "The customer's proposed unit price, major units"},
                    "quantity": {"type": "integer", "minimum": 1, "description": "Units the customer wants at that price (default 1)"},
                    "proposed_price": {"type": "number", "description": "Optional price you would like to offer, major units; refused when not allowed"}
                },
                "required": ["product_id", "customer_offer"]
            }),
        },
        Tool {
            name: "create_order".into(),
            description: "Record the customer's order once product, color, quantity, unit price and delivery details are agreed. The unit price must be the catalog/discounted price or the price agreed in this chat.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "product_id": {"type": "integer"},
                                "quantity": {"type": "integer", "minimum": 1},
                                "color": {"type": "string"},
                                "unit_price": {"type": "number", "description": "Major units"}
                            },
                            "required": ["product_id", "quantity", "unit_price"]
                        }
                    },
                    "customer_name": {"type": "string"},
                    "delivery_address": {"type": "string", "description": "Where to deliver (or 'pickup' with a time)"},
                    "delivery_notes": {"type": "string"}
                },
                "required": ["items", "delivery_address"]
            }),
        },
        Tool {
            name: "send_product_photo".into(),
            description: "Send the customer a photo of a product (its first catalog photo, captioned with its name) right after your reply. Use it when they ask to see an item. Do not paste links.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {
                    "product_id": {"type": "integer"}
                },
                "required": ["product_id"]
            }),
        },
        Tool {
            name: "hand_off_to_human".into(),
            description: "Hand the chat to a person of the business (the AI stops answering this chat). Use when the customer asks for a human, complains, or you cannot help from the tools.".into(),
            input_schema: json!({
                "type": "object",
                "properties": {"reason": {"type": "string"}},
                "required": ["reason"]
            }),
        },
    ]
}
