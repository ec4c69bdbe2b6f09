-- One name per indicator on every screen and report, as the province's table writes it
-- ("Tỷ lệ …" where the plan says so); 12, 13, 14 and 16 were set in 0009.
UPDATE indicators SET name_vi = 'Lãnh đạo, cán bộ, công chức trên địa bàn cấp xã chỉ đạo, điều hành, xử lý công việc trên môi trường điện tử' WHERE id = 1;
UPDATE indicators SET name_vi = 'Lãnh đạo, cán bộ, công chức được cấp chứng thư số' WHERE id = 2;
UPDATE indicators SET name_vi = 'Văn bản, hồ sơ công việc được tạo lập, xử lý, ký số trên môi trường điện tử (trừ văn bản mật theo quy định)' WHERE id = 3;
UPDATE indicators SET name_vi = 'Cán bộ, công chức có hộp thư điện tử công vụ' WHERE id = 4;
UPDATE indicators SET name_vi = 'Tỷ lệ tiếp nhận, giải quyết hồ sơ trực tuyến' WHERE id = 5;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân có điện thoại thông minh' WHERE id = 6;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân trên 15 tuổi có tài khoản giao dịch thanh toán tại ngân hàng hoặc tổ chức được phép khác' WHERE id = 7;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân được cấp tài khoản định danh điện tử (VNeID)' WHERE id = 8;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân có chữ ký điện tử cá nhân' WHERE id = 9;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân/doanh nghiệp được thông tin tuyên truyền, tập huấn, đào tạo kỹ năng số cơ bản, được hướng dẫn sử dụng dịch vụ công trực tuyến' WHERE id = 10;
UPDATE indicators SET name_vi = 'Tỷ lệ người dân/doanh nghiệp sử dụng nền tảng số trao đổi thông tin với các cơ quan chính quyền' WHERE id = 11;
UPDATE indicators SET name_vi = 'Tỷ lệ hộ gia đình thanh toán tiền điện bằng phương thức thanh toán không dùng tiền mặt' WHERE id = 15;
