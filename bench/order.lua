-- wrk script: every request orders one unit of the hot SKU through POST /v1/orders.
local key = os.getenv("KEY")
local body = '{"currency":"EUR","lines":[{"sku":"HOT-1","quantity":1}],' ..
    '"shipping_address":{"country":"DE"}}'

request = function()
    return wrk.format("POST", "/v1/orders", {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
    }, body)
end
