-- The officials' console: the province's table as the slide writes it.

-- The slide's two sections: 1–5 "ĐỐI VỚI CHÍNH QUYỀN SỐ", 6–16 "ĐỐI VỚI NGƯỜI DÂN, DOANH NGHIỆP".
ALTER TABLE indicators ADD COLUMN section TEXT NOT NULL DEFAULT 'people';
UPDATE indicators SET section = 'government' WHERE id BETWEEN 1 AND 5;

-- One name per indicator, as the plan writes it.
UPDATE indicators SET name_vi = 'Tỷ lệ doanh nghiệp sử dụng dịch vụ công trực tuyến được định danh và xác thực điện tử thông suốt' WHERE id = 12;
UPDATE indicators SET name_vi = 'Tỷ lệ thuê bao điện thoại thông minh có sử dụng phần mềm an toàn thông tin mạng cơ bản' WHERE id = 13;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân sử dụng dịch vụ công trực tuyến được định danh và xác thực điện tử thông suốt' WHERE id = 14;
UPDATE indicators SET name_vi = 'Có điểm phát Wi-Fi công cộng tại các địa điểm quan trọng (UBND xã, nhà văn hóa, điểm du lịch)' WHERE id = 16;
