-- Fulfilment details an order carries once shipped, and when each state was reached.
ALTER TABLE orders ADD COLUMN carrier TEXT;
ALTER TABLE orders ADD COLUMN tracking_number TEXT;
ALTER TABLE orders ADD COLUMN cancel_reason TEXT;
